// SPDX-License-Identifier: GPL-2.0
/*
 * nested_el_bits: counters a guest hypervisor programs at virtual EL2
 * count where their filter bits say, in every context the vCPU runs in,
 * and a denied event counts in none of them.
 *
 * Under nested virtualization the guest hypervisor runs at vEL2 on the
 * real EL1, so KVM re-derives each counter's EL filtering at every
 * vEL2<->vEL1 transition (kvm_pmu_nested_transition()): in a hyp context
 * NSH decides for EL2, outside it P decides for EL1; U decides for EL0 in
 * both regimes.  The loop runs at vEL2, at EL0 under vEL2 (TGE=1), in a
 * nested guest at EL1, and at that nested guest's EL0.  Counters are
 * programmed at vEL2 only, before the context changes.  The guest
 * hypervisor runs with E2H=1 and, where KVM offers it, E2H=0 (which has no
 * EL0 of its own).
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
	{ "NSH=0 P=0 U=0", 0 },
	{ "NSH=1", PMEVTYPER_NSH },
	{ "NSH=1 P=1", PMEVTYPER_NSH | PMEVTYPER_P },
	{ "NSH=1 U=1", PMEVTYPER_NSH | PMEVTYPER_U },
	{ "P=1 U=1", PMEVTYPER_P | PMEVTYPER_U },
	{ "NSH=1 P=1 U=1", PMEVTYPER_NSH | PMEVTYPER_P | PMEVTYPER_U },
};

static const struct place {
	const char *name;
	uint64_t included_by;	/* the bit that must be set (NSH) or clear (P, U) */
} places[] = {
	{ "vEL2", PMEVTYPER_NSH },
	{ "EL0 under vEL2", PMEVTYPER_U },
	{ "nested EL1", PMEVTYPER_P },
	{ "nested EL0", PMEVTYPER_U },
};
enum { AT_VEL2, AT_VEL2_EL0, AT_NESTED_EL1, AT_NESTED_EL0 };

static bool counts_at(const struct place *p, uint64_t bits)
{
	return p->included_by == PMEVTYPER_NSH ? (bits & PMEVTYPER_NSH) : !(bits & p->included_by);
}

static uint64_t loop(uint64_t iters)
{
	pmu_workload(iters);
	return 0;
}

static uint64_t nested_el1_calls_el0(uint64_t iters)
{
	return guest_call_el0(loop, iters);
}

static void guest_code(uint64_t e2h0)
{
	uint64_t before[NR_LOOP_COUNTERS];

	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++) {
		for (unsigned int at = 0; at < ARRAY_SIZE(places); at++) {
			guest_step("program the counters at vEL2 and count one loop");
			guest_program_loop_counters(bitsets[b].val);
			guest_read_loop_counters(before);
			switch (at) {
			case AT_VEL2:
				loop(ITERS);
				break;
			case AT_VEL2_EL0:
				if (!e2h0)
					guest_call_el0(loop, ITERS);
				break;
			case AT_NESTED_EL1:
				guest_call_el1(loop, ITERS);
				break;
			case AT_NESTED_EL0:
				guest_call_el1(nested_el1_calls_el0, ITERS);
				break;
			}
			guest_sync_loop_deltas(b, at, before);
		}
	}
}

struct run {
	struct guest_run run;
	uint64_t delta[ARRAY_SIZE(bitsets)][ARRAY_SIZE(places)][NR_LOOP_COUNTERS];
};

static void report(const char *flavour, bool e2h0, const struct run *runs)
{
	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
	for (unsigned int b = 0; b < ARRAY_SIZE(bitsets); b++)
	for (unsigned int at = 0; at < ARRAY_SIZE(places); at++)
	for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++) {
		const struct filter_vm *fv = &deny_one_vms[v];
		const char *bn = bitsets[b].name, *pn = places[at].name;
		const char *cn = loop_counters[c].name;
		bool control = platform_counts(loop_counters[c].event, GUEST_EL2);

		if (!runs[v].run.ok)
			ktap_fail("%s, %s: %s, %s, loop at %s: guest failed: %s", flavour, fv->name,
				  bn, cn, pn, runs[v].run.why);
		else if (e2h0 && at == AT_VEL2_EL0)
			ktap_skip("a non-VHE EL2 has no EL0", "%s, %s: %s, %s, loop at %s",
				  flavour, fv->name, bn, cn, pn);
		else
			check_loop_count(!pmu_filter_counts(&fv->range, fv->nr,
							    loop_counters[c].event) ? EXPECT_DENIED :
					 counts_at(&places[at], bitsets[b].val) ? EXPECT_COUNTED :
					 EXPECT_EXCLUDED,
					 runs[v].delta[b][at][c], &bounds, control,
					 "%s, %s: %s, %s, loop at %s", flavour, fv->name, bn, cn, pn);
	}
}

static void run_vm(const struct filter_vm *fv, bool e2h0, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL2, .e2h0 = e2h0, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code, .arg = e2h0 };
	struct vm *vm = pmu_vm_create(&cfg);

	guest_run_start(&r->run);
	for (unsigned int i = 0; i < ARRAY_SIZE(places) * ARRAY_SIZE(bitsets); i++) {
		unsigned int b = i / ARRAY_SIZE(places), at = i % ARRAY_SIZE(places);

		if (!guest_run_loop_deltas(&r->run, vm->vcpus[0], b, at, r->delta[b][at]))
			break;
	}
	vm_free(vm);
}

static const struct flavour {
	const char *name;
	bool e2h0;
} flavours[] = {
	{ "E2H=1", false },
	{ "E2H=0", true },
};

int main(void)
{
	static struct run runs[ARRAY_SIZE(flavours)][NR_DENY_ONE_VMS];
	const unsigned int per_vm = ARRAY_SIZE(bitsets) * ARRAY_SIZE(places) * NR_LOOP_COUNTERS;

	pmu_vm_require(GUEST_EL2);
	ktap_start(ARRAY_SIZE(flavours) * NR_DENY_ONE_VMS * per_vm);
	for (unsigned int f = 0; f < ARRAY_SIZE(flavours); f++) {
		const struct flavour *fl = &flavours[f];

		if (fl->e2h0 && !kvm_has_el2_e2h0()) {
			for (unsigned int i = 0; i < NR_DENY_ONE_VMS * per_vm; i++)
				ktap_skip("KVM_CAP_ARM_EL2_E2H0 is 0", "%s: case %u", fl->name, i + 1);
			continue;
		}
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			run_vm(&deny_one_vms[v], fl->e2h0, &runs[f][v]);
		report(fl->name, fl->e2h0, runs[f]);
	}
	ktap_finish();
}
