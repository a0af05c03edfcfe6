// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>

#include "guest_print.h"

struct sink {
	char *buf;
	size_t size, len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, size_t n,
		       unsigned int width, bool left, char pad)
{
	size_t i;

	for (i = n; !left && i < width; i++)
		put(s, pad);
	for (i = 0; i < n; i++)
		put(s, str[i]);
	for (i = n; left && i < width; i++)
		put(s, ' ');
}

static void put_number(struct sink *s, uint64_t v, bool neg, unsigned int base,
		       bool upper, unsigned int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (neg) {
		/* "-0005": the sign goes before zero padding. */
		if (pad == '0') {
			put(s, '-');
			width = width ? width - 1 : 0;
		} else {
			tmp[--i] = '-';
		}
	}
	put_padded(s, tmp + i, sizeof(tmp) - i, width, left, pad);
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };

	for (; *fmt; fmt++) {
		unsigned int width = 0, lng = 0;
		bool left = false, alt = false;
		char pad = ' ';
		uint64_t u;
		int64_t d;

		if (*fmt != '%') {
			put(&s, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-' || *fmt == '#'; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else if (*fmt == '-')
				left = true;
			else
				alt = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		if (left)
			pad = ' ';

		switch (*fmt) {
		case 'd':
		case 'i':
			d = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_number(&s, d < 0 ? -(uint64_t)d : (uint64_t)d, d < 0,
				   10, false, width, left, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			if (alt && *fmt != 'u' && u) {
				put(&s, '0');
				put(&s, *fmt == 'X' ? 'X' : 'x');
				width = width > 2 ? width - 2 : 0;
			}
			put_number(&s, u, false, *fmt == 'u' ? 10 : 16,
				   *fmt == 'X', width, left, pad);
			break;
		case 'p':
			put(&s, '0');
			put(&s, 'x');
			put_number(&s, (uint64_t)va_arg(ap, void *), false, 16,
				   false, width, left, pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n = 0;

			if (!str)
				str = "(null)";
			while (str[n])
				n++;
			put_padded(&s, str, n, width, left, ' ');
			break;
		}
		case 'c':
			put(&s, (char)va_arg(ap, int));
			break;
		case '%':
			put(&s, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&s, '%');
			put(&s, *fmt);
			break;
		}
	}
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
