// SPDX-License-Identifier: GPL-2.0
/*
 * The known-issues table covers exactly the listed checks, on the listed
 * kernels, failing as their findings predict, no more often than reviewed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "known_issues.h"
#include "ktap.h"
#include "test_util.h"

/* An id entry looks at the check's id, a pattern entry at its description: give both. */
static enum known_issue_match match(const char *line, const char *test, const char *check,
				    const char *version)
{
	struct known_issue_entry e;
	char why[300];

	if (known_issue_parse(line, 1, &e, why, sizeof(why)) != 1)
		return KNOWN_ISSUE_BAD_TABLE;
	return known_issue_entry_match(&e, test, check, check, version);
}

static int parse(const char *line, char *why, size_t len)
{
	struct known_issue_entry e;

	return known_issue_parse(line, 7, &e, why, len);
}

static struct ktap_counts sample;

/*
 * Results of checks run against table @text, as KTAP text numbered from 1,
 * outside this program's own counts (their totals go to @sample).
 */
static char *outcomes(const char *text, void (*checks)(void))
{
	struct ktap_counts mine = *ktap_counts();
	char path[] = "/tmp/kpf-known-issues.XXXXXX", *buf = NULL;
	int fd = mkstemp(path);
	size_t len;
	FILE *out;

	TEST_ASSERT(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "temp table");
	close(fd);
	setenv("KPF_KNOWN_ISSUES", path, 1);
	known_issue_reload();
	out = open_memstream(&buf, &len);
	ktap_set_output(out);
	ktap_reset();
	checks();
	sample = *ktap_counts();
	fclose(out);
	ktap_set_output(stdout);
	ktap_restore(&mine);
	unlink(path);
	return buf;
}

static void three_predicted_failures(void)
{
	for (int i = 0; i < 3; i++)
		ktap_check_known("stale-type", false, true, "check %d", i);
}

static void unpredicted_failure(void)
{
	ktap_check_known("stale-type", false, false, "check 0");
}

static void pattern_failure(void)
{
	ktap_check(false, "vEL2: counter 0 counts (0)");
}

static void known_by_id_under_pattern(void)
{
	ktap_check_known("restore-lost", false, false, "vEL2: counter 0 counts (0)");
}

static void held(void)
{
	ktap_check_known("stale-type", true, false, "check 0");
	known_issue_report(ktap_diag);
}

int main(void)
{
	const char *line = "filter_pmceid  pmceid-sw-incr  5.11-7.2  1  findings/001.md (KVM)\n";
	struct known_issue_entry e;
	char why[300], table[256], *out;
	struct utsname u;

	ktap_start(34);
	ktap_check(kernel_version_cmp("7.3.4+deb13-arm64", "7.3.4") == 0, "suffixes are ignored");
	ktap_check(kernel_version_cmp("7.3", "7.3.0") == 0, "missing parts are 0");
	ktap_check(kernel_version_cmp("6.12.57", "6.9") > 0, "numeric, not lexical: 6.12 > 6.9");
	ktap_check(kernel_version_cmp("6.1.0-50-arm64", "6.1.1") < 0, "Debian 6.1.0-50 is 6.1.0");
	ktap_check(kernel_in_range("5.11-", "7.3.4") && !kernel_in_range("5.11-", "5.10.200"),
		   "open-ended range FIRST-");
	ktap_check(kernel_in_range("-6.12", "6.12.57") && !kernel_in_range("-6.12", "6.13") &&
		   !kernel_in_range("-6.12.3", "6.12.4"),
		   "an upper bound holds the releases it names: 6.12 all 6.12.y, 6.12.3 no later");
	ktap_check(kernel_in_range("*", "1.0"), "'*' holds every kernel");
	ktap_check(kernel_in_range("7.3", "7.3.4") && !kernel_in_range("7.3", "7.2.9"),
		   "a single version holds its stable releases only");

	ktap_check(match(line, "filter_pmceid", "pmceid-sw-incr", "6.1.0") == KNOWN_ISSUE_LISTED,
		   "listed check on a listed kernel");
	ktap_check(match(line, "filter_pmceid", "pmceid-sw-incr", "7.3.4") == KNOWN_ISSUE_NONE,
		   "not on a later kernel");
	ktap_check(match(line, "filter_pmceid", "pmceid-chain", "6.1.0") == KNOWN_ISSUE_NONE,
		   "not another check");
	ktap_check(match(line, "filter_api", "pmceid-sw-incr", "6.1.0") == KNOWN_ISSUE_NONE,
		   "not another test");
	ktap_check(parse("# filter_pmceid pmceid-sw-incr * 1 x", why, sizeof(why)) == 0 &&
		   parse("   \n", why, sizeof(why)) == 0, "comments and blank lines are no entries");
	ktap_check(parse("filter_pmceid pmceid-sw-incr 6.1- findings/001.md", why, sizeof(why)) < 0 &&
		   strstr(why, "line 7"), "an entry without its count is refused: %s", why);
	ktap_check(parse("filter_pmceid pmceid-sw-incr 6.1- 0 findings/001.md", why, sizeof(why)) < 0,
		   "a count of 0 is refused: %s", why);
	ktap_check(parse("filter_pmceid pmceid-sw-incr 6.1- 2", why, sizeof(why)) < 0,
		   "an entry without a reference is refused: %s", why);
	ktap_check(parse("filter_el_bits \"*\" 7.3@partitioned 40 ref", why, sizeof(why)) < 0 &&
		   parse("filter_el_bits \"*\" 7.3.4- 40 ref", why, sizeof(why)) < 0,
		   "a pattern entry must name one kernel, a.b.c: %s", why);
	ktap_check(parse("filter_el_bits \"*\" 7.3.4@partitioned 40 ref", why, sizeof(why)) == 1,
		   "a pattern entry pinned to 7.3.4 is taken");
	known_issue_parse("filter_pmceid pmceid-sw-incr 6.1- 2 findings/001.md (KVM)\n", 3, &e, why,
			  sizeof(why));
	ktap_check(e.count == 2 && e.line == 3 && !strcmp(e.ref, "findings/001.md (KVM)"),
		   "the count, line and reference are read: %u, %u, '%s'", e.count, e.line, e.ref);

	line = "filter_api  partition-attr  7.3@partitioned@series  1 ref\n";
	ktap_check(match(line, "filter_api", "partition-attr", "7.3.4") == KNOWN_ISSUE_NONE,
		   "a tagged entry does not hold for a run without its tags");
	known_issue_tag("partitioned");
	ktap_check(match(line, "filter_api", "partition-attr", "7.3.4") == KNOWN_ISSUE_NONE,
		   "nor for a run with only some of them");
	known_issue_tag("series");
	known_issue_tag("series");
	ktap_check(match(line, "filter_api", "partition-attr", "7.3.4") == KNOWN_ISSUE_LISTED &&
		   match(line, "filter_api", "partition-attr", "7.2.1") == KNOWN_ISSUE_NONE,
		   "it holds for a run with every tag, on its kernels only");
	line = "filter_api  partition-attr  7.3@series@!+fixes  1 ref\n";
	ktap_check(match(line, "filter_api", "partition-attr", "7.3.4") == KNOWN_ISSUE_LISTED,
		   "a !TAG entry holds for a run without that tag");
	known_issue_tag_kernel("7.3.4+ppmu+fixes");
	ktap_check(known_issue_has_tag("+ppmu") && known_issue_has_tag("+fixes") &&
		   match(line, "filter_api", "partition-attr", "7.3.4") == KNOWN_ISSUE_NONE,
		   "the kernel release's +NAME parts tag the run, and !TAG then excludes it");
	setenv("KPF_KERNEL_TAGS", "+declared", 1);
	known_issue_tag_kernel("6.12.57+deb13-arm64");
	ktap_check(known_issue_has_tag("+declared") && known_issue_has_tag("+deb13-arm64"),
		   "$KPF_KERNEL_TAGS (run_tests.sh --kernel-tag) tags the run");
	unsetenv("KPF_KERNEL_TAGS");

	line = "filter_el_bits \"*: cycle counter never counts (*)\" 7.3.4@series 6 ref\n";
	ktap_check(match(line, "filter_el_bits", "DENY CPU_CYCLES: cycle counter never counts (40005)",
			 "7.3.4") == KNOWN_ISSUE_LISTED,
		   "a quoted pattern matches a check's description");
	ktap_check(match(line, "filter_el_bits", "DENY CPU_CYCLES: cycle counter counts (0)",
			 "7.3.4") == KNOWN_ISSUE_NONE,
		   "and no other description");
	ktap_check(match(line, "filter_el_bits", "DENY CPU_CYCLES: cycle counter never counts (1)",
			 "7.3.5") == KNOWN_ISSUE_STALE,
		   "on another kernel a pattern entry is stale, not silent");

	/* Whole checks against a table: what a run prints. */
	out = outcomes("test_known_issues stale-type 1.0- 2 findings/004.md\n",
		       three_predicted_failures);
	ktap_check(strstr(out, "ok 1 check 0 # XFAIL findings/004.md\n") &&
		   strstr(out, "# XFAIL findings/004.md\n") &&
		   strstr(out, "not ok 3 check 2\n") && sample.xfail == 2 && sample.fail == 1 &&
		   strstr(out, "known-issues.cfg:1 (stale-type) was reviewed at 2 checks a run"),
		   "an entry covers its count of failures; the next is a failure naming it");
	free(out);
	out = outcomes("test_known_issues stale-type 1.0- 2 findings/004.md\n", unpredicted_failure);
	ktap_check(strstr(out, "not ok 1 check 0\n") &&
		   strstr(out, "not the failure its finding predicts"),
		   "a listed check failing otherwise than predicted is a failure");
	free(out);
	out = outcomes("test_known_issues \"*counts*\" 1.2.3 9 findings/006.md\n", pattern_failure);
	ktap_check(strstr(out, "not ok 1 vEL2: counter 0 counts (0)\n") &&
		   strstr(out, "covers this test on 1.2.3 only"),
		   "a pattern entry on another kernel is a failure naming it");
	free(out);
	uname(&u);
	snprintf(table, sizeof(table), "test_known_issues \"restore*\" %d.%d.%d 9 findings/006.md\n",
		 atoi(u.release), atoi(strchr(u.release, '.') + 1),
		 atoi(strchr(strchr(u.release, '.') + 1, '.') + 1));
	out = outcomes(table, known_by_id_under_pattern);
	ktap_check(strstr(out, "not ok 1 vEL2: counter 0 counts (0)\n") && !strstr(out, "covers this test"),
		   "a pattern entry matches descriptions, never a check's id");
	free(out);
	out = outcomes("test_known_issues stale-type 1.0- 2\n", three_predicted_failures);
	ktap_check(strstr(out, "not ok 1 check 0\n") && strstr(out, "line 1: no reference"),
		   "a table with a line that isn't an entry covers nothing, and says why");
	free(out);
	out = outcomes("test_known_issues stale-type 1.0- 1 findings/004.md\n", held);
	ktap_check(strstr(out, "ok 1 check 0\n") && !strstr(out, "XFAIL") &&
		   strstr(out, "(stale-type) did not reproduce: its 1 check held"),
		   "a listed check that holds passes, and the run ends saying so");
	free(out);
	ktap_finish();
}
