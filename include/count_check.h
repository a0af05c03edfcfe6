/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one check behind every "which exception levels count" test: how far
 * a counter moved over a loop, against what the filter and the EL bits
 * say it must.
 */
#ifndef COUNT_CHECK_H
#define COUNT_CHECK_H

#include <stdbool.h>
#include <stdint.h>

enum count_expect {
	EXPECT_COUNTED,		/* allowed and the loop's EL included */
	EXPECT_EXCLUDED,	/* allowed, the loop's EL excluded */
	EXPECT_DENIED,		/* denied by the VM's filter: nowhere */
};

struct loop_bounds {
	uint64_t counted_min;	/* the loop's own events */
	uint64_t excluded_max;	/* what the way in and out of the loop may add */
};

/*
 * One KTAP line "<what>: <expectation> (<d>)": counted means at least
 * counted_min, excluded less than excluded_max, denied exactly 0.  A SKIP
 * when the platform can't count the event at all (!@control, from
 * platform_counts()).
 */
void check_loop_count(enum count_expect e, uint64_t d, const struct loop_bounds *b,
		      bool control, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
