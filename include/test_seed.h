/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeds of randomised tests: $KPF_SEED or --seed N reproduces a run; by
 * default a fresh seed.  The seed is always printed first.
 */
#ifndef TEST_SEED_H
#define TEST_SEED_H

#include <stdint.h>

uint64_t test_seed(int argc, char **argv);

/* xorshift64: the next pseudo-random number of the sequence *@s (never 0) holds. */
static inline uint64_t random_next(uint64_t *s)
{
	if (!*s)	/* xorshift's one fixed point */
		*s = 1;
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
