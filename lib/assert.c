// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

noreturn void __test_assert_fail(const char *file, int line, const char *cond,
				 const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	printf("# ==== Test harness failure ====\n#   %s:%d: %s\n#   ",
	       file, line, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n#   errno %d (%s)\nBail out! harness failure\n", err,
	       strerror(err));
	fflush(stdout);
	exit(1);
}
