// SPDX-License-Identifier: GPL-2.0
/*
 * filter_cpu_cycles: CPU_CYCLES counts at EL1 exactly when the VM's event
 * filter allows it, on an event counter and on the cycle counter.
 *
 * "Filtering the cycle counter is possible using event 0x11 (CPU_CYCLES)"
 * (KVM API, devices/vcpu.rst 1.3).  Every VM runs the same guest code: event
 * counter 0 programmed with CPU_CYCLES and the cycle counter, both counting
 * EL1 and EL0, around the same loop.  The filter is the only difference.
 * What must count comes from the documented filter semantics
 * (pmu_filter_model); the VMs whose filter allows CPU_CYCLES are the
 * positive control for those that deny it, and must count; where the
 * platform can't count CPU_CYCLES at all (platform_counts()), the deny
 * cases SKIP.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define WORKLOAD_ITERS	20000
#define EVENT_COUNTER	0

static void guest_code(uint64_t arg)
{
	(void)arg;
	guest_step("reset the PMU");
	pmu_reset();

	guest_step("program CPU_CYCLES on event counter 0 and the cycle counter");
	/* P=U=NSH=0: count at EL1 and EL0, where this guest runs. */
	pmu_write_evtyper(EVENT_COUNTER, PMU_EV_CPU_CYCLES);
	pmu_write_evtyper(PMU_CYCLE_IDX, 0);
	pmu_enable_counters(BIT(EVENT_COUNTER) | BIT(PMU_CYCLE_IDX));

	guest_step("count the workload");
	pmu_start();
	pmu_workload(WORKLOAD_ITERS);
	pmu_stop();

	guest_step("report");
	GUEST_SYNC(pmu_read_counter(EVENT_COUNTER), pmu_read_counter(PMU_CYCLE_IDX),
		   pmu_event_advertised(PMU_EV_CPU_CYCLES));
}


static const struct kvm_pmu_event_filter allow_cycles[] = {
	PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, ALLOW),
};
static const struct kvm_pmu_event_filter deny_inst_retired[] = {
	PMU_FILTER_RANGE(PMU_EV_INST_RETIRED, 1, DENY),
};
static const struct kvm_pmu_event_filter deny_cycles[] = {
	PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, DENY),
};
static const struct kvm_pmu_event_filter allow_inst_retired_only[] = {
	PMU_FILTER_RANGE(PMU_EV_INST_RETIRED, 1, ALLOW),
};

static const struct filter_case {
	const char *name;
	const struct kvm_pmu_event_filter *ranges;
	unsigned int nr_ranges;
} cases[] = {
	/* Allowing cases first: they are the positive control of the rest. */
	{ "no filter", NULL, 0 },
	{ "ALLOW CPU_CYCLES", allow_cycles, ARRAY_SIZE(allow_cycles) },
	{ "DENY INST_RETIRED (default allow)", deny_inst_retired, ARRAY_SIZE(deny_inst_retired) },
	{ "DENY CPU_CYCLES", deny_cycles, ARRAY_SIZE(deny_cycles) },
	{ "ALLOW INST_RETIRED only (default deny)", allow_inst_retired_only,
	  ARRAY_SIZE(allow_inst_retired_only) },
};

#define CHECKS_PER_CASE	3

struct observed {
	struct guest_run run;
	uint64_t evcnt, ccnt, advertised;
};

static void run_case(const struct filter_case *c, struct observed *o)
{
	struct pmu_vm_config cfg = {
		.el = GUEST_EL1, .filters = c->ranges, .nr_filters = c->nr_ranges,
		.code = guest_code,
	};
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&o->run);
	if (guest_run_sync(&o->run, vm->vcpus[0], &uc)) {
		o->evcnt = uc.args[0];
		o->ccnt = uc.args[1];
		o->advertised = uc.args[2];
	}
	vm_free(vm);
}

/*
 * @counted_ev, @counted_cc: whether the platform counts CPU_CYCLES at all;
 * @platform_advertises: PMCEID0 bit 0x11 of the unfiltered VM.
 */
static void report(const struct filter_case *c, const struct observed *o,
		   bool allowed, bool counted_ev, bool counted_cc,
		   bool platform_advertises)
{
	if (!o->run.ok) {
		ktap_fail_n(CHECKS_PER_CASE, "%s: guest failed: %s", c->name, o->run.why);
		return;
	}
	if (allowed) {
		ktap_check(o->evcnt > 0, "%s: event counter %d counts CPU_CYCLES (%lu)",
			   c->name, EVENT_COUNTER, o->evcnt);
		ktap_check(o->ccnt > 0, "%s: cycle counter counts (%lu)", c->name, o->ccnt);
	} else {
		if (counted_ev)
			ktap_check(o->evcnt == 0, "%s: event counter %d never counts CPU_CYCLES (%lu)",
				   c->name, EVENT_COUNTER, o->evcnt);
		else
			ktap_skip("this platform doesn't count CPU_CYCLES",
				  "%s: event counter %d never counts CPU_CYCLES", c->name,
				  EVENT_COUNTER);
		if (counted_cc)
			ktap_check(o->ccnt == 0, "%s: cycle counter never counts (%lu)",
				   c->name, o->ccnt);
		else
			ktap_skip("this platform doesn't count CPU_CYCLES",
				  "%s: cycle counter never counts", c->name);
	}
	if (platform_advertises)
		ktap_check(o->advertised == allowed,
			   "%s: PMCEID0_EL0 bit 0x11 is %lu, filter %s CPU_CYCLES",
			   c->name, o->advertised, allowed ? "allows" : "denies");
	else
		ktap_skip("the unfiltered vPMU does not advertise CPU_CYCLES",
			  "%s: PMCEID0_EL0 bit 0x11 follows the filter", c->name);
}

int main(void)
{
	struct observed obs[ARRAY_SIZE(cases)] = { 0 };
	bool counted;
	unsigned int i;

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(cases) * CHECKS_PER_CASE);

	counted = platform_counts(PMU_EV_CPU_CYCLES, GUEST_EL1);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i], &obs[i]);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		report(&cases[i], &obs[i], pmu_filter_counts(cases[i].ranges, cases[i].nr_ranges, PMU_EV_CPU_CYCLES),
		       counted, counted, obs[0].run.ok && obs[0].advertised);
	ktap_finish();
}
