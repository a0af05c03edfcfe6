// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

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

/*
 * A failed check whose description the known-issues table lists (by a
 * pattern) for this kernel and run is an expected failure.
 */
bool ktap_check(bool cond, const char *fmt, ...)
{
	char what[512], ref[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cond)
		ktap_result(KTAP_PASS, NULL, "%s", what);
	else if (known_issue(what, ref, sizeof(ref)))
		ktap_result(KTAP_XFAIL, ref, "%s", what);
	else
		ktap_result(KTAP_FAIL, NULL, "%s", what);
	return cond;
}

bool ktap_check_known(const char *check, bool cond, const char *fmt, ...)
{
	char ref[256];
	bool known = known_issue(check, ref, sizeof(ref));
	va_list ap;

	va_start(ap, fmt);
	if (cond)
		ktap_vresult(KTAP_PASS, NULL, fmt, ap);
	else
		ktap_vresult(known ? KTAP_XFAIL : KTAP_FAIL, ref, fmt, ap);
	va_end(ap);
	if (cond && known)
		ktap_diag("known issue '%s' did not reproduce on this kernel: %s", check, ref);
	return cond;
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
	ktap_diag("Totals: pass:%u fail:%u xfail:%u xpass:0 skip:%u error:0",
		  counts.pass, counts.fail, counts.xfail, counts.skip);
	exit(ktap_exit_code(&counts));
}
