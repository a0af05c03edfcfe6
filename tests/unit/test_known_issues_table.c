// SPDX-License-Identifier: GPL-2.0
/*
 * The repository's known-issues.cfg ($KPF_KNOWN_ISSUES) is a table the
 * tests can read: every line is a comment or an entry with its count, and
 * every pattern entry names the one kernel it was reviewed on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "known_issues.h"
#include "ktap.h"

int main(void)
{
	const char *path = getenv("KPF_KNOWN_ISSUES");
	struct known_issue_entry e;
	unsigned int line = 0, entries = 0, bad = 0;
	char text[1024], why[300];
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		ktap_skip_all("no table: set KPF_KNOWN_ISSUES to known-issues.cfg");
	ktap_start(2);
	while (fgets(text, sizeof(text), f)) {
		int r = known_issue_parse(text, ++line, &e, why, sizeof(why));

		entries += r > 0;
		if (r < 0 && !bad++)
			ktap_diag("%s: %s", path, why);
	}
	fclose(f);
	ktap_check(!bad, "every line of the table is a comment or an entry (%u not)", bad);
	ktap_check(entries > 0, "the table has entries (%u)", entries);
	ktap_finish();
}
