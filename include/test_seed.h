/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeds of randomised tests: $KPF_SEED or --seed N reproduces a run; by
 * default a fresh seed.  The seed is always printed first.
 */
#ifndef TEST_SEED_H
#define TEST_SEED_H

#include <stdint.h>

uint64_t test_seed(int argc, char **argv);

#endif
