// SPDX-License-Identifier: GPL-2.0
/* The known-issues table matches exactly the listed checks on listed kernels. */
#include <string.h>

#include "known_issues.h"
#include "ktap.h"

static bool matches(const char *line, const char *test, const char *check,
		    const char *version)
{
	char ref[128];

	return known_issue_line_matches(line, test, check, version, ref, sizeof(ref));
}

int main(void)
{
	const char *line = "filter_pmceid  pmceid-sw-incr  5.11-7.2  README.md#finding-1 (KVM)\n";
	char ref[128] = "";

	ktap_start(21);
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
	ktap_check(matches(line, "filter_pmceid", "pmceid-sw-incr", "6.1.0"), "listed check on a listed kernel");
	ktap_check(!matches(line, "filter_pmceid", "pmceid-sw-incr", "7.3.4"), "not on a later kernel");
	ktap_check(!matches(line, "filter_pmceid", "pmceid-chain", "6.1.0"), "not another check");
	ktap_check(!matches(line, "filter_api", "pmceid-sw-incr", "6.1.0"), "not another test");
	ktap_check(!matches("# filter_pmceid pmceid-sw-incr * x", "filter_pmceid", "pmceid-sw-incr", "6.1"),
		   "comments are skipped");
	line = "filter_api  partition-attr  7.3@partitioned@series  ref\n";
	ktap_check(!matches(line, "filter_api", "partition-attr", "7.3.4"),
		   "a tagged entry does not hold for a run without its tags");
	known_issue_tag("partitioned");
	ktap_check(!matches(line, "filter_api", "partition-attr", "7.3.4"),
		   "nor for a run with only some of them");
	known_issue_tag("series");
	known_issue_tag("series");
	ktap_check(matches(line, "filter_api", "partition-attr", "7.3.4") &&
		   !matches(line, "filter_api", "partition-attr", "7.2.1"),
		   "it holds for a run with every tag, on its kernels only");
	line = "filter_api  partition-attr  7.3@series@!+fixes  ref\n";
	ktap_check(matches(line, "filter_api", "partition-attr", "7.3.4"),
		   "a !TAG entry holds for a run without that tag");
	known_issue_tag("+fixes");
	ktap_check(!matches(line, "filter_api", "partition-attr", "7.3.4"),
		   "and not for a run with it");
	line = "filter_el_bits \"*: cycle counter never counts (*)\" 7.3@series  ref 6\n";
	ktap_check(matches(line, "filter_el_bits", "DENY CPU_CYCLES: cycle counter never counts (40005)", "7.3.4"),
		   "a quoted pattern matches a check's description");
	ktap_check(!matches(line, "filter_el_bits", "DENY CPU_CYCLES: cycle counter counts (0)", "7.3.4"),
		   "and no other description");
	line = "filter_pmceid  pmceid-sw-incr  5.11-7.2  README.md#finding-1 (KVM)\n";
	known_issue_line_matches(line, "filter_pmceid", "pmceid-sw-incr", "6.1", ref, sizeof(ref));
	ktap_check(!strcmp(ref, "README.md#finding-1 (KVM)"), "the reference is the rest of the line: '%s'", ref);
	ktap_finish();
}
