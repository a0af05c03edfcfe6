// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ktap.h"
#include "test_seed.h"

uint64_t test_seed(int argc, char **argv)
{
	const char *s = getenv("KPF_SEED");
	struct timespec ts;
	uint64_t seed;

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--seed"))
			s = argv[i + 1];
	if (s) {
		seed = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ts.tv_sec * 1000000007ULL ^ ts.tv_nsec;
	}
	ktap_diag("seed %llu (reproduce with KPF_SEED=%llu)",
		  (unsigned long long)seed, (unsigned long long)seed);
	return seed;
}
