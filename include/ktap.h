/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP output of one test program: a plan, one numbered result line per
 * case, "# " diagnostics.  Exit codes follow kselftest: 0 all passed (or
 * expectedly failed), 1 any failed, 4 nothing ran but skips.
 */
#ifndef KTAP_H
#define KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdnoreturn.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

enum ktap_result {
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
	KTAP_XFAIL,
};

struct ktap_counts {
	unsigned int planned, pass, fail, skip, xfail;
};

/* Where lines go (stdout by default); for the unit tests. */
void ktap_set_output(FILE *out);
const struct ktap_counts *ktap_counts(void);
void ktap_reset(void);
/* For the unit tests: put counts saved from ktap_counts() back. */
void ktap_restore(const struct ktap_counts *c);

void ktap_start(unsigned int plan);
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One result line.  @reason follows "# SKIP" or "# XFAIL" and is ignored for
 * PASS and FAIL.
 */
void ktap_result(enum ktap_result r, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ktap_vresult(enum ktap_result r, const char *reason, const char *fmt,
		  va_list ap);

/*
 * @n results of one kind for cases that can't run one by one (a VM that
 * couldn't be made, a feature the kernel lacks): "<what> (case i of n)".
 */
void ktap_skip_n(unsigned int n, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ktap_fail_n(unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ktap_pass(...)		ktap_result(KTAP_PASS, NULL, __VA_ARGS__)
#define ktap_fail(...)		ktap_result(KTAP_FAIL, NULL, __VA_ARGS__)
#define ktap_skip(why, ...)	ktap_result(KTAP_SKIP, why, __VA_ARGS__)

/*
 * ok if @cond; if not, not ok, or XFAIL when a pattern entry of the
 * known-issues table lists the check's description for this program,
 * kernel and run, within the count it was reviewed at.  Returns @cond.
 */
bool ktap_check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A check a known kernel bug may fail, by its stable id @check.  ok if
 * @cond.  If not, XFAIL only when the table lists @check for this program,
 * kernel and run, within its reviewed count, and @as_predicted says the
 * failure is exactly the one the finding predicts (the values the bug's
 * model gives); any other failure is not ok, and says why the entry
 * didn't cover it.  Returns @cond.
 */
bool ktap_check_known(const char *check, bool cond, bool as_predicted, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int ktap_exit_code(const struct ktap_counts *c);

/* The whole program can't run here: "1..0 # SKIP why", exit 4. */
noreturn void ktap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Print the totals, flag a plan mismatch as a failure, and exit. */
noreturn void ktap_finish(void);

#endif
