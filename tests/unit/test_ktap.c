// SPDX-License-Identifier: GPL-2.0
/* KTAP lines and exit codes are what kselftest and TAP consumers expect. */
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "test_util.h"

static char *buf;
static size_t len;

static FILE *capture(void)
{
	free(buf);
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	ktap_set_output(f);
	ktap_reset();
	return f;
}

static const struct {
	const char *what;
	struct ktap_counts counts;	/* planned, pass, fail, skip, xfail */
	int code;
} exits[] = {
	{ "all passed", { 2, 2, 0, 0, 0 }, KSFT_PASS },
	{ "one failed", { 2, 1, 1, 0, 0 }, KSFT_FAIL },
	{ "all skipped", { 2, 0, 0, 2, 0 }, KSFT_SKIP },
	{ "some skipped, rest passed", { 2, 1, 0, 1, 0 }, KSFT_PASS },
	{ "an expected failure passes", { 2, 1, 0, 0, 1 }, KSFT_PASS },
	{ "fewer cases than planned", { 3, 2, 0, 0, 0 }, KSFT_FAIL },
	{ "more cases than planned", { 1, 2, 0, 0, 0 }, KSFT_FAIL },
	{ "empty plan, nothing run", { 0, 0, 0, 0, 0 }, KSFT_PASS },
};

int main(void)
{
	FILE *f = capture();
	struct ktap_counts k;

	ktap_start(4);
	ktap_pass("first");
	ktap_fail("second %d", 2);
	ktap_skip("no EL2", "third");
	ktap_result(KTAP_XFAIL, "known bug", "fourth");
	ktap_diag("note");
	fclose(f);
	k = *ktap_counts();

	ktap_set_output(stdout);
	ktap_reset();
	ktap_start(2 + ARRAY_SIZE(exits));
	ktap_check(!strcmp(buf, "KTAP version 1\n1..4\nok 1 first\nnot ok 2 second 2\n"
			   "ok 3 third # SKIP no EL2\nok 4 fourth # XFAIL known bug\n# note\n"),
		   "result lines are numbered and carry SKIP/XFAIL directives");
	ktap_check(k.pass == 1 && k.fail == 1 && k.skip == 1 && k.xfail == 1,
		   "each kind is counted once");

	for (unsigned int i = 0; i < ARRAY_SIZE(exits); i++)
		ktap_check(ktap_exit_code(&exits[i].counts) == exits[i].code, "%s: exit %d",
			   exits[i].what, exits[i].code);

	ktap_finish();
}
