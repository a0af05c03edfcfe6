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
 * Counters: CPU_CYCLES on event counter 0, INST_RETIRED on event counter
 * 1, and the cycle counter (PMCCFILTR).  The unfiltered VM is the control.
 */
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "count_check.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS		10000	/* 2 instructions each */

static const struct loop_bounds bounds = {
	.counted_min = 2 * ITERS, .excluded_max = ITERS / 2,
};

static const struct counter {
	const char *name;
	unsigned int idx, event;
} counters[] = {
	{ "CPU_CYCLES on counter 0", 0, PMU_EV_CPU_CYCLES },
	{ "INST_RETIRED on counter 1", 1, PMU_EV_INST_RETIRED },
	{ "cycle counter", PMU_CYCLE_IDX, PMU_EV_CPU_CYCLES },
};
#define NR_CTRS	ARRAY_SIZE(counters)

static const struct bits {
	const char *name;
	uint64_t val;
} bitsets[] = {
	{ "P=0 U=0", 0 },
	{ "P=1", PMEVTYPER_P },
	{ "U=1", PMEVTYPER_U },
	{ "P=1 U=1", PMEVTYPER_P | PMEVTYPER_U },
};

static uint64_t el0_loop(uint64_t iters)
{
	pmu_workload(iters);
	return 0;
}

static void guest_code(uint64_t arg)
{
	uint64_t before[NR_CTRS], d[NR_CTRS];

	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++) {
		for (unsigned int el = 0; el <= 1; el++) {
			guest_step(el ? "count a loop at EL1" : "count a loop at EL0");
			pmu_reset();
			for (unsigned int c = 0; c < NR_CTRS; c++) {
				pmu_write_evtyper(counters[c].idx,
						  (counters[c].idx == PMU_CYCLE_IDX ? 0 :
						   counters[c].event) | bitsets[b].val);
				pmu_enable_counters(BIT(counters[c].idx));
			}
			pmu_start();
			for (unsigned int c = 0; c < NR_CTRS; c++)
				before[c] = pmu_read_counter(counters[c].idx);
			if (el)
				pmu_workload(ITERS);
			else
				guest_call_el0(el0_loop, ITERS);
			for (unsigned int c = 0; c < NR_CTRS; c++)
				d[c] = pmu_read_counter(counters[c].idx) - before[c];
			pmu_stop();
			GUEST_SYNC(b, el, d[0], d[1], d[2]);
		}
	}
}

#define R(base, act)	{ .base_event = (base), .nevents = 1, .action = PMU_EVENT_##act }

static const struct vm_case {
	const char *name;
	struct kvm_pmu_event_filter range;
	unsigned int nr;
} vms[] = {
	{ "no filter", { }, 0 },
	{ "DENY CPU_CYCLES", R(PMU_EV_CPU_CYCLES, DENY), 1 },
	{ "DENY INST_RETIRED", R(PMU_EV_INST_RETIRED, DENY), 1 },
};

/* delta[bits][el][counter] */
struct run {
	bool ran;
	uint64_t delta[ARRAY_SIZE(bitsets)][2][NR_CTRS];
	char why[UCALL_TEXT_LEN];
};

static void run_vm(const struct vm_case *vc, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &vc->range,
				     .nr_filters = vc->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	r->ran = true;
	for (unsigned int i = 0; r->ran && i < 2 * ARRAY_SIZE(bitsets); i++) {
		r->ran = vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC &&
			 uc.args[0] == i / 2 && uc.args[1] == i % 2;
		for (unsigned int c = 0; r->ran && c < NR_CTRS; c++)
			r->delta[i / 2][i % 2][c] = uc.args[2 + c];
	}
	snprintf(r->why, sizeof(r->why), "%s", uc.text);
	vm_free(vm);
}


int main(void)
{
	static struct run runs[ARRAY_SIZE(vms)];

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(vms) * ARRAY_SIZE(bitsets) * 2 * NR_CTRS);
	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++)
		run_vm(&vms[v], &runs[v]);

	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++)
	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++)
	for (unsigned int el = 0; el <= 1; el++)
	for (unsigned int c = 0; c < NR_CTRS; c++) {
		const char *vn = vms[v].name, *bn = bitsets[b].name, *cn = counters[c].name;
		bool excluded = bitsets[b].val & (el ? PMEVTYPER_P : PMEVTYPER_U);
		/* Control: unfiltered, both levels included, same counter and EL. */
		bool control = runs[0].ran && runs[0].delta[0][el][c] >= bounds.counted_min;
		uint64_t d = runs[v].delta[b][el][c];

		if (!runs[v].ran)
			ktap_fail("%s: %s, %s, EL%u loop: guest failed: %s", vn, bn, cn, el, runs[v].why);
		else
			check_loop_count(!pmu_filter_counts(&vms[v].range, vms[v].nr,
							    counters[c].event) ? EXPECT_DENIED :
					 excluded ? EXPECT_EXCLUDED : EXPECT_COUNTED,
					 d, &bounds, control, "%s: %s, %s, EL%u loop",
					 vn, bn, cn, el);
	}
	ktap_finish();
}
