// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "count_check.h"
#include "ktap.h"

void check_loop_count(enum count_expect e, uint64_t d, const struct loop_bounds *b,
		      bool control, const char *fmt, ...)
{
	static const char *const said[] = {
		[EXPECT_COUNTED] = "EL included, loop counted",
		[EXPECT_EXCLUDED] = "EL excluded, loop not counted",
		[EXPECT_DENIED] = "event denied, never counts",
	};
	char what[256];
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!control) {
		ktap_skip("this platform doesn't count the event", "%s: %s",
			  what, said[e]);
		return;
	}
	switch (e) {
	case EXPECT_COUNTED:
		ok = d >= b->counted_min;
		break;
	case EXPECT_EXCLUDED:
		ok = d < b->excluded_max;
		break;
	default:
		ok = d == 0;
		break;
	}
	ktap_check(ok, "%s: %s (%lu)", what, said[e], d);
}
