/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cases several tests run: VMs that differ only in their filter, and the
 * counters that measure the same loop in each of them.
 */
#ifndef PMU_CASES_H
#define PMU_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_compat.h"

struct filter_vm {
	const char *name;
	struct kvm_pmu_event_filter range;
	unsigned int nr;		/* 0: no filter */
};

/* No filter (always first: the positive control), DENY CPU_CYCLES, DENY INST_RETIRED. */
#define NR_DENY_ONE_VMS	3
extern const struct filter_vm deny_one_vms[NR_DENY_ONE_VMS];

struct loop_counter {
	const char *name;
	unsigned int idx, event;
};

/* CPU_CYCLES on counter 0, INST_RETIRED on counter 1, the cycle counter. */
#define NR_LOOP_COUNTERS 3
extern const struct loop_counter loop_counters[NR_LOOP_COUNTERS];

/* A combination of PMEVTYPER/PMCCFILTR exception-level bits, named. */
struct filter_bits {
	const char *name;
	uint64_t val;
};

/* Guest: program every loop counter with event | @bits, enabled, PMU started. */
void guest_program_loop_counters(uint64_t bits);
/* Guest: the loop counters' values, in table order. */
void guest_read_loop_counters(uint64_t out[NR_LOOP_COUNTERS]);
/* Guest: stop the PMU and report @a, @b and each loop counter's move since @before. */
void guest_sync_loop_deltas(uint64_t a, uint64_t b, const uint64_t before[NR_LOOP_COUNTERS]);

struct guest_run;
struct vcpu;
/*
 * Host: run @vcpu to its guest_sync_loop_deltas(@a, @b, ...) and take the
 * deltas; a failed or misplaced report fails @run (guest_run_step()).
 */
bool guest_run_loop_deltas(struct guest_run *run, struct vcpu *vcpu, uint64_t a, uint64_t b,
			   uint64_t deltas[NR_LOOP_COUNTERS]);

#endif
