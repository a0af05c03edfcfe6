// SPDX-License-Identifier: GPL-2.0
/* Guest-side formatting agrees with the C library's for what guests print. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_print.h"
#include "ktap.h"

#define SAME(fmt, ...) do {						\
	char a[128], b[128];						\
	int na = guest_snprintf(a, sizeof(a), fmt, ##__VA_ARGS__);	\
	int nb = snprintf(b, sizeof(b), fmt, ##__VA_ARGS__);		\
	ktap_check(na == nb && !strcmp(a, b), "\"%s\": '%s' (%d)", fmt, a, na); \
} while (0)

int main(void)
{
	char small[8];
	int n;

	ktap_start(16);
	SAME("plain text");
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%ld", (long)INT64_MIN);
	SAME("%lu %lx %lX", (unsigned long)UINT64_MAX, 0xdeadbeefUL, 0xabcUL);
	SAME("%#lx %#x", 0x96000045UL, 0);
	SAME("%08x|%-6d|%6d", 0x1f, 42, -42);
	SAME("%05d", -42);
	SAME("%s and %s", "this", "that");
	SAME("%-8s|%8s", "left", "right");
	SAME("%c%c%%", 'o', 'k');
	SAME("%zu", (size_t)12345);
	SAME("%llu", 18446744073709551615ULL);
	SAME("%u", 4294967295U);
	SAME("%p", (void *)0x400000);

	n = guest_snprintf(small, sizeof(small), "%s", "truncated text");
	ktap_check(n == 14 && !strcmp(small, "truncat"),
		   "truncation keeps the NUL and returns the full length (%d)", n);
	n = guest_snprintf(NULL, 0, "%d", 123);
	ktap_check(n == 3, "size 0 writes nothing and returns the length (%d)", n);
	ktap_finish();
}
