/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printf-style formatting that guest code can use: no libc state, no
 * syscalls.  Conversions: d i u x X p s c %, flags '0' and '-', a width,
 * length modifiers l ll z.  Always NUL-terminates; returns the length the
 * full text would have had, like vsnprintf().
 */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

#include <stdarg.h>
#include <stddef.h>

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
