// SPDX-License-Identifier: GPL-2.0
/*
 * filter_el_bits: the guest's own exception-level filter bits (P: exclude
 * EL1, U: exclude EL0) include and exclude exactly those levels for an
 * allowed event, and a denied event counts at neither, whatever the bits.
 *
 * The guest runs at EL1 and programs counters there; the workload runs
 * either at EL1 or at EL0 (guest_call_el0()).  An EL0 workload's count
 * also holds the few EL1 instructions of the call itself, so "excluded"
 * means far less than the loop, and "included" at least the loop.
 * Counters: CPU_CYCLES and INST_RETIRED on event counters, and the cycle
 * counter.  The unfiltered VM is the positive control; where the platform
 * can't count an event at all, its checks SKIP.
 */
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "count_check.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS	10000	/* 2 instructions each */

static const struct loop_bounds bounds = {
	.counted_min = 2 * ITERS, .excluded_max = ITERS / 2,
};

static const struct filter_bits bitsets[] = {
	{ "P=0 U=0", 0 },
	{ "P=1", PMEVTYPER_P },
	{ "U=1", PMEVTYPER_U },
	{ "P=1 U=1", PMEVTYPER_P | PMEVTYPER_U },
};

enum { AT_EL0, AT_EL1, NR_PLACES };

static uint64_t el0_loop(uint64_t iters)
{
	pmu_workload(iters);
	return 0;
}

static void guest_code(uint64_t arg)
{
	uint64_t before[NR_LOOP_COUNTERS];

	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++) {
		for (unsigned int at = 0; at < NR_PLACES; at++) {
			guest_step(at == AT_EL1 ? "count a loop at EL1" : "count a loop at EL0");
			guest_program_loop_counters(bitsets[b].val);
			guest_read_loop_counters(before);
			if (at == AT_EL1)
				pmu_workload(ITERS);
			else
				guest_call_el0(el0_loop, ITERS);
			guest_sync_loop_deltas(b, at, before);
		}
	}
}

/* delta[bits][place][counter] */
struct run {
	struct guest_run run;
	uint64_t delta[ARRAY_SIZE(bitsets)][NR_PLACES][NR_LOOP_COUNTERS];
};

static void run_vm(const struct filter_vm *fv, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);

	guest_run_start(&r->run);
	for (unsigned int i = 0; i < NR_PLACES * ARRAY_SIZE(bitsets); i++) {
		unsigned int b = i / NR_PLACES, at = i % NR_PLACES;

		if (!guest_run_loop_deltas(&r->run, vm->vcpus[0], b, at, r->delta[b][at]))
			break;
	}
	vm_free(vm);
}

int main(void)
{
	static struct run runs[NR_DENY_ONE_VMS];

	pmu_vm_require(GUEST_EL1);
	ktap_start(NR_DENY_ONE_VMS * ARRAY_SIZE(bitsets) * NR_PLACES * NR_LOOP_COUNTERS);
	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
		run_vm(&deny_one_vms[v], &runs[v]);

	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++)
	for (unsigned int at = 0; at < NR_PLACES; at++)
	for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++) {
		const struct filter_vm *fv = &deny_one_vms[v];
		const char *bn = bitsets[b].name, *cn = loop_counters[c].name;
		bool excluded = bitsets[b].val & (at == AT_EL1 ? PMEVTYPER_P : PMEVTYPER_U);
		bool control = platform_counts(loop_counters[c].event, GUEST_EL1);

		if (!runs[v].run.ok)
			ktap_fail("%s: %s, %s, EL%u loop: guest failed: %s", fv->name, bn, cn,
				  at, runs[v].run.why);
		else
			check_loop_count(!pmu_filter_counts(&fv->range, fv->nr,
							    loop_counters[c].event) ? EXPECT_DENIED :
					 excluded ? EXPECT_EXCLUDED : EXPECT_COUNTED,
					 runs[v].delta[b][at][c], &bounds, control,
					 "%s: %s, %s, EL%u loop", fv->name, bn, cn, at);
	}
	ktap_finish();
}
