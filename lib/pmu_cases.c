// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "arm64/pmu.h"
#include "pmu_cases.h"
#include "test_util.h"
#include "ucall.h"

const struct filter_vm deny_one_vms[NR_DENY_ONE_VMS] = {
	{ "no filter", { }, 0 },
	{ "DENY CPU_CYCLES",
	  { .base_event = PMU_EV_CPU_CYCLES, .nevents = 1, .action = KVM_PMU_EVENT_DENY }, 1 },
	{ "DENY INST_RETIRED",
	  { .base_event = PMU_EV_INST_RETIRED, .nevents = 1, .action = KVM_PMU_EVENT_DENY }, 1 },
};

const struct loop_counter loop_counters[NR_LOOP_COUNTERS] = {
	{ "CPU_CYCLES on counter 0", 0, PMU_EV_CPU_CYCLES },
	{ "INST_RETIRED on counter 1", 1, PMU_EV_INST_RETIRED },
	{ "cycle counter", PMU_CYCLE_IDX, PMU_EV_CPU_CYCLES },
};

void guest_program_loop_counters(uint64_t bits)
{
	pmu_reset();
	for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++) {
		const struct loop_counter *lc = &loop_counters[c];

		/* PMCCFILTR has the filter bits only: its event is CPU_CYCLES. */
		pmu_write_evtyper(lc->idx, (lc->idx == PMU_CYCLE_IDX ? 0 : lc->event) | bits);
		pmu_enable_counters(BIT(lc->idx));
	}
	pmu_start();
}

void guest_read_loop_counters(uint64_t out[NR_LOOP_COUNTERS])
{
	for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++)
		out[c] = pmu_read_counter(loop_counters[c].idx);
}

void guest_sync_loop_deltas(uint64_t a, uint64_t b, const uint64_t before[NR_LOOP_COUNTERS])
{
	uint64_t after[NR_LOOP_COUNTERS];

	guest_read_loop_counters(after);
	pmu_stop();
	GUEST_SYNC(a, b, after[0] - before[0], after[1] - before[1], after[2] - before[2]);
}

bool guest_run_loop_deltas(struct guest_run *run, struct vcpu *vcpu, uint64_t a, uint64_t b,
			   uint64_t deltas[NR_LOOP_COUNTERS])
{
	struct ucall uc;

	if (!guest_run_sync(run, vcpu, &uc))
		return false;
	if (uc.args[0] != a || uc.args[1] != b) {
		run->ok = false;
		snprintf(run->why, sizeof(run->why), "the guest reported %lu, %lu where %lu, %lu were due",
			 uc.args[0], uc.args[1], a, b);
		return false;
	}
	for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++)
		deltas[c] = uc.args[2 + c];
	return true;
}
