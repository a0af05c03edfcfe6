// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "known_issues.h"
#include "ktap.h"

static FILE *ktap_out;
static struct ktap_counts counts;

static FILE *out(void)
{
	return ktap_out ? ktap_out : stdout;
}

void ktap_set_output(FILE *f)
{
	ktap_out = f;
}

const struct ktap_counts *ktap_counts(void)
{
	return &counts;
}

void ktap_restore(const struct ktap_counts *c)
{
	counts = *c;
}

void ktap_reset(void)
{
	counts = (struct ktap_counts){ 0 };
}

void ktap_start(unsigned int plan)
{
	counts.planned = plan;
	fprintf(out(), "KTAP version 1\n1..%u\n", plan);
	fflush(out());
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", out());
	vfprintf(out(), fmt, ap);
	fputc('\n', out());
	va_end(ap);
	fflush(out());
}

void ktap_vresult(enum ktap_result r, const char *reason, const char *fmt,
		  va_list ap)
{
	unsigned int n = counts.pass + counts.fail + counts.skip + counts.xfail + 1;

	fprintf(out(), "%s %u ", r == KTAP_FAIL ? "not ok" : "ok", n);
	vfprintf(out(), fmt, ap);
	switch (r) {
	case KTAP_PASS:
		counts.pass++;
		break;
	case KTAP_FAIL:
		counts.fail++;
		break;
	case KTAP_SKIP:
		counts.skip++;
		fprintf(out(), " # SKIP %s", reason ? reason : "");
		break;
	case KTAP_XFAIL:
		counts.xfail++;
		fprintf(out(), " # XFAIL %s", reason ? reason : "");
		break;
	}
	fputc('\n', out());
	fflush(out());
}

void ktap_result(enum ktap_result r, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vresult(r, reason, fmt, ap);
	va_end(ap);
}

static void result_n(enum ktap_result r, unsigned int n, const char *why,
		     const char *fmt, va_list ap)
{
	char what[512];

	vsnprintf(what, sizeof(what), fmt, ap);
	for (unsigned int i = 1; i <= n; i++)
		if (n == 1)
			ktap_result(r, why, "%s", what);
		else
			ktap_result(r, why, "%s (case %u of %u)", what, i, n);
}

void ktap_skip_n(unsigned int n, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_n(KTAP_SKIP, n, why, fmt, ap);
	va_end(ap);
}

void ktap_fail_n(unsigned int n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_n(KTAP_FAIL, n, NULL, fmt, ap);
	va_end(ap);
}

/*
 * The result of a failed check that the known-issues table may list: XFAIL
 * only within what the entry was reviewed for, else a failure that says
 * which entry would have covered it and why it doesn't.
 */
static void known_failure(const struct known_issue *ki, const char *what)
{
	const struct known_issue_entry *e = ki->entry;

	if (ki->match == KNOWN_ISSUE_LISTED) {
		ktap_result(KTAP_XFAIL, e->ref, "%s", what);
		return;
	}
	ktap_result(KTAP_FAIL, NULL, "%s", what);
	switch (ki->match) {
	case KNOWN_ISSUE_UNPREDICTED:
		ktap_diag("known-issues.cfg:%u (%s) lists this check, but this is not the failure its finding predicts: %s",
			  e->line, e->check, e->ref);
		break;
	case KNOWN_ISSUE_OVER:
		ktap_diag("known-issues.cfg:%u (%s) was reviewed at %u check%s a run and would cover more: review it (%s)",
			  e->line, e->check, e->count, e->count == 1 ? "" : "s", e->ref);
		break;
	case KNOWN_ISSUE_STALE:
		ktap_diag("known-issues.cfg:%u (%s) covers this test on %.*s only, the kernel it was reviewed on: review it for this one (%s)",
			  e->line, e->check, (int)strcspn(e->kernels, "@"), e->kernels, e->ref);
		break;
	case KNOWN_ISSUE_BAD_TABLE:
		ktap_diag("%s", ki->why);
		break;
	default:
		break;
	}
}

bool ktap_check(bool cond, const char *fmt, ...)
{
	struct known_issue ki;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cond) {
		ktap_result(KTAP_PASS, NULL, "%s", what);
		return true;
	}
	known_issue_failed(NULL, what, false, &ki);
	known_failure(&ki, what);
	return false;
}

bool ktap_check_known(const char *check, bool cond, bool as_predicted, const char *fmt, ...)
{
	struct known_issue ki;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cond) {
		ktap_result(KTAP_PASS, NULL, "%s", what);
		known_issue_listed(check, what, &ki);
		return true;
	}
	known_issue_failed(check, what, as_predicted, &ki);
	known_failure(&ki, what);
	return false;
}

int ktap_exit_code(const struct ktap_counts *c)
{
	unsigned int ran = c->pass + c->fail + c->skip + c->xfail;

	if (c->fail || ran != c->planned)
		return KSFT_FAIL;
	if (ran && c->skip == ran)
		return KSFT_SKIP;
	return KSFT_PASS;
}

noreturn void ktap_skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("KTAP version 1\n1..0 # SKIP ", out());
	vfprintf(out(), fmt, ap);
	fputc('\n', out());
	va_end(ap);
	fflush(out());
	exit(KSFT_SKIP);
}

noreturn void ktap_finish(void)
{
	unsigned int ran = counts.pass + counts.fail + counts.skip + counts.xfail;

	if (ran != counts.planned)
		ktap_diag("planned %u cases but ran %u", counts.planned, ran);
	known_issue_report(ktap_diag);
	ktap_diag("Totals: pass:%u fail:%u xfail:%u xpass:0 skip:%u error:0",
		  counts.pass, counts.fail, counts.xfail, counts.skip);
	exit(ktap_exit_code(&counts));
}
