// SPDX-License-Identifier: GPL-2.0
/*
 * nested_transitions: over a thousand vEL2<->vEL1 round trips, a counter
 * that includes only one context counts every event of that context and
 * nothing of the other, and a denied event counts in neither.
 *
 * KVM re-creates the perf event of every counter whose EL1 and EL2 bits
 * differ at each transition (kvm_pmu_nested_transition()); a lost or stale
 * re-creation shows as events missing from, or leaking into, a count.
 * Each trip runs K loop iterations in a nested guest at EL1 and M at vEL2;
 * the vEL2 side also pays for the transition itself, hence the slack.  The
 * guest hypervisor runs with E2H=1 and, where KVM offers it, E2H=0.
 */
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define TRIPS		1000
#define K		500	/* nested EL1 iterations per trip: 1000 events */
#define M		300	/* vEL2 iterations per trip: 600 events */
#define EL1_SLACK	100	/* per trip, < the 600 a leaked vEL2 loop adds */
#define EL2_SLACK	500	/* per trip, < the 1000 a leaked EL1 loop adds */

#define EL2_ONLY	(PMEVTYPER_NSH | PMEVTYPER_P | PMEVTYPER_U)
#define EL1_ONLY	(PMEVTYPER_U)

static const struct trip_counter {
	const char *name;
	unsigned int idx, event;
	bool el2;	/* counts vEL2 only, else nested EL1 only */
} counters[] = {
	{ "INST_RETIRED, vEL2 only", 0, PMU_EV_INST_RETIRED, true },
	{ "INST_RETIRED, nested EL1 only", 1, PMU_EV_INST_RETIRED, false },
	{ "CPU_CYCLES, vEL2 only", 2, PMU_EV_CPU_CYCLES, true },
	{ "CPU_CYCLES, nested EL1 only", 3, PMU_EV_CPU_CYCLES, false },
	{ "cycle counter, nested EL1 only", PMU_CYCLE_IDX, PMU_EV_CPU_CYCLES, false },
};
#define NR	ARRAY_SIZE(counters)

static uint64_t nested_loop(uint64_t iters)
{
	pmu_workload(iters);
	return 0;
}

static void guest_code(uint64_t arg)
{
	uint64_t mask = 0, v[NR];

	guest_step("program counters for one context each");
	pmu_reset();
	for (unsigned int c = 0; c < NR; c++) {
		const struct trip_counter *tc = &counters[c];

		pmu_write_evtyper(tc->idx, (tc->idx == PMU_CYCLE_IDX ? 0 : tc->event) |
					   (tc->el2 ? EL2_ONLY : EL1_ONLY));
		mask |= BIT(tc->idx);
	}
	pmu_enable_counters(mask);
	pmu_start();
	guest_step("round trips between vEL2 and a nested EL1");
	for (int t = 0; t < TRIPS; t++) {
		guest_call_el1(nested_loop, K);
		pmu_workload(M);
	}
	pmu_stop();
	for (unsigned int c = 0; c < NR; c++)
		v[c] = pmu_read_counter(counters[c].idx);
	GUEST_SYNC(v[0], v[1], v[2], v[3], v[4]);
}

static bool run_vm(const struct filter_vm *fv, bool e2h0, uint64_t out[NR], char *why,
		   size_t len)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL2, .e2h0 = e2h0, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;
	bool ok = vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC;

	for (unsigned int c = 0; c < NR; c++)
		out[c] = uc.args[c];
	snprintf(why, len, "%s", uc.text);
	vm_free(vm);
	return ok;
}

static void run_flavour(const char *flavour, bool e2h0)
{
	static const struct filter_vm *vms[] = { &deny_one_vms[0], &deny_one_vms[2] };
	uint64_t got[ARRAY_SIZE(vms)][NR];
	bool ran[ARRAY_SIZE(vms)];
	char why[ARRAY_SIZE(vms)][UCALL_TEXT_LEN];

	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++)
		ran[v] = run_vm(vms[v], e2h0, got[v], why[v], sizeof(why[v]));

	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++) {
		for (unsigned int c = 0; c < NR; c++) {
			const struct trip_counter *tc = &counters[c];
			uint64_t own = TRIPS * 2 * (tc->el2 ? M : K);
			uint64_t slack = TRIPS * (tc->el2 ? EL2_SLACK : EL1_SLACK);
			uint64_t d = got[v][c];
			const char *vn = vms[v]->name;

			if (!ran[v])
				ktap_fail("%s, %s: %s: guest failed: %s", flavour, vn, tc->name, why[v]);
			else if (!platform_counts(tc->event, GUEST_EL2))
				ktap_skip("this platform doesn't count it at vEL2",
					  "%s, %s: %s over %d round trips", flavour, vn, tc->name, TRIPS);
			else if (!pmu_filter_counts(&vms[v]->range, vms[v]->nr, tc->event))
				ktap_check(d == 0, "%s, %s: %s: denied, never counts over %d round trips (%lu)",
					   flavour, vn, tc->name, TRIPS, d);
			else
				ktap_check(d >= own && d < own + slack,
					   "%s, %s: %s: all of its context, none of the other, over %d round trips (%lu in [%lu, %lu))",
					   flavour, vn, tc->name, TRIPS, d, own, own + slack);
		}
	}
}

int main(void)
{
	pmu_vm_require(GUEST_EL2);
	ktap_start(2 * 2 * NR);
	run_flavour("E2H=1", false);
	if (kvm_has_el2_e2h0()) {
		run_flavour("E2H=0", true);
	} else {
		for (unsigned int i = 0; i < 2 * NR; i++)
			ktap_skip("KVM_CAP_ARM_EL2_E2H0 is 0", "E2H=0: case %u", i + 1);
	}
	ktap_finish();
}
