// SPDX-License-Identifier: GPL-2.0
/* KTAP lines and exit codes are what kselftest and TAP consumers expect. */
#include <stdlib.h>
#include <string.h>

#include "ktap.h"

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

static struct ktap_counts c(unsigned int plan, unsigned int p, unsigned int f,
			    unsigned int s, unsigned int x)
{
	return (struct ktap_counts){ plan, p, f, s, x };
}

int main(void)
{
	FILE *f = capture();
	struct ktap_counts k;
	bool ok;

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
	ktap_start(11);
	ktap_check(!strcmp(buf, "KTAP version 1\n1..4\nok 1 first\nnot ok 2 second 2\n"
			   "ok 3 third # SKIP no EL2\nok 4 fourth # XFAIL known bug\n# note\n"),
		   "result lines are numbered and carry SKIP/XFAIL directives");
	ktap_check(k.pass == 1 && k.fail == 1 && k.skip == 1 && k.xfail == 1,
		   "each kind is counted once");

	k = c(2, 2, 0, 0, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_PASS, "all passed: exit 0");
	k = c(2, 1, 1, 0, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_FAIL, "one failed: exit 1");
	k = c(2, 0, 0, 2, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_SKIP, "all skipped: exit 4");
	k = c(2, 1, 0, 1, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_PASS, "some skipped, rest passed: exit 0");
	k = c(2, 1, 0, 0, 1);
	ktap_check(ktap_exit_code(&k) == KSFT_PASS, "an expected failure passes: exit 0");
	k = c(3, 2, 0, 0, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_FAIL, "fewer cases than planned: exit 1");
	k = c(1, 2, 0, 0, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_FAIL, "more cases than planned: exit 1");
	k = c(0, 0, 0, 0, 0);
	ktap_check(ktap_exit_code(&k) == KSFT_PASS, "empty plan, nothing run: exit 0");

	ok = ktap_check(true, "ktap_check returns its condition");
	(void)ok;
	ktap_finish();
}
