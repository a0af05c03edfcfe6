/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness assertions.  A failed TEST_ASSERT means the harness itself is
 * broken (an ioctl that must not fail did): it prints a banner with
 * file:line and errno and exits 1.  Checks of the property under test are
 * KTAP results instead (ktap.h), so that one failed check never hides the
 * next one.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))
#define GENMASK(h, l)	((~0UL >> (63 - (h))) & ~((1UL << (l)) - 1))

noreturn void __test_assert_fail(const char *file, int line, const char *cond,
				 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			__test_assert_fail(__FILE__, __LINE__, #cond,	\
					   fmt, ##__VA_ARGS__);		\
	} while (0)

/* An ioctl that must succeed. */
/* Asserts that a call returning 0 or -errno (a __name() call) returned 0. */
#define TEST_ASSERT_OK(ret, fmt, ...)					\
	do {								\
		int __ret = (ret);					\
									\
		errno = -__ret;						\
		TEST_ASSERT(!__ret, fmt, ##__VA_ARGS__);		\
	} while (0)

#define TEST_IOCTL(ret, name)						\
	TEST_ASSERT((ret) >= 0, "%s failed", name)

#endif
