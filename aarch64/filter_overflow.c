// SPDX-License-Identifier: GPL-2.0
/*
 * filter_overflow: a counter whose event the filter allows overflows as
 * architected, setting its PMOVSSET_EL0 bit and raising the PMU interrupt
 * (PPI 23 through the vGICv3); one whose event is denied, preset the same
 * way, never moves, never sets the flag and never interrupts.
 *
 * Event counters overflow at 32 bits (PMCR_EL0.LP=0), the cycle counter at
 * 64 (PMCR_EL0.LC=1); each is preset a little below.  The unfiltered VM is
 * the positive control of the denying ones.
 */
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "arm64/vgic.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS		5000
#define HEADROOM	200
#define IRQ_WAIT	1000000

static const struct counter {
	const char *name;
	unsigned int idx, event;
	uint64_t preset;
} counters[] = {
	{ "CPU_CYCLES on counter 0", 0, PMU_EV_CPU_CYCLES, 0xffffffffUL - HEADROOM },
	{ "INST_RETIRED on counter 3", 3, PMU_EV_INST_RETIRED, 0xffffffffUL - HEADROOM },
	{ "cycle counter", PMU_CYCLE_IDX, PMU_EV_CPU_CYCLES, ~0UL - HEADROOM },
};

static void guest_code(uint64_t arg)
{
	guest_step("enable the PMU interrupt");
	guest_pmu_irq_setup();

	for (unsigned int c = 0; c < ARRAY_SIZE(counters); c++) {
		const struct counter *ctr = &counters[c];
		uint64_t flags;

		guest_step("count across the overflow");
		pmu_reset();
		pmu_irq_overflows = 0;
		pmu_write_evtyper(ctr->idx, ctr->idx == PMU_CYCLE_IDX ? 0 : ctr->event);
		pmu_write_counter(ctr->idx, ctr->preset);
		write_sysreg(BIT(ctr->idx), pmintenset_el1);
		pmu_enable_counters(BIT(ctr->idx));
		local_irq_enable();
		pmu_start();
		pmu_workload(ITERS);
		guest_step("wait for the interrupt");
		/* Still counting: PMCR_EL0.E gates the overflow interrupt request. */
		for (int i = 0; i < IRQ_WAIT && !(pmu_irq_overflows & BIT(ctr->idx)); i++)
			isb();
		pmu_stop();
		local_irq_disable();
		flags = read_sysreg(pmovsset_el0);
		write_sysreg(~0UL, pmintenclr_el1);
		GUEST_SYNC(c, pmu_irq_overflows, flags, pmu_read_counter(ctr->idx));
	}
}

/* What the guest saw of one counter, and one VM's run over all of them. */
struct counter_result {
	uint64_t irq_ovs, flags, value;
};

struct result {
	struct guest_run run;
	struct counter_result ctr[ARRAY_SIZE(counters)];
};

static void run_vm(const struct filter_vm *vc, struct result *res)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &vc->range,
				     .nr_filters = vc->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&res->run);
	for (unsigned int c = 0; c < ARRAY_SIZE(counters); c++) {
		if (!guest_run_step(&res->run, vm->vcpus[0], c, &uc))
			break;
		res->ctr[c].irq_ovs = uc.args[1];
		res->ctr[c].flags = uc.args[2];
		res->ctr[c].value = uc.args[3];
	}
	vm_free(vm);
}


int main(void)
{
	static struct result res[NR_DENY_ONE_VMS];

	pmu_vm_require(GUEST_EL1);
	ktap_start(NR_DENY_ONE_VMS * ARRAY_SIZE(counters));
	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
		run_vm(&deny_one_vms[v], &res[v]);

	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++) {
		for (unsigned int c = 0; c < ARRAY_SIZE(counters); c++) {
			const struct counter *ctr = &counters[c];
			const struct result *vr = &res[v];
			const struct counter_result *r = &vr->ctr[c];
			uint64_t bit = BIT(ctr->idx);
			bool control = platform_counts(ctr->event, GUEST_EL1);

			if (!vr->run.ok)
				ktap_fail("%s: %s: guest failed: %s", deny_one_vms[v].name, ctr->name,
					  vr->run.why);
			else if (pmu_filter_counts(&deny_one_vms[v].range, deny_one_vms[v].nr, ctr->event))
				ktap_check(r->irq_ovs & bit,
					   "%s: %s: allowed, overflows with PMOVSSET and PPI 23 (seen in IRQ %#lx, value %#lx)",
					   deny_one_vms[v].name, ctr->name, r->irq_ovs, r->value);
			else if (!control)
				ktap_skip("this platform doesn't count the event",
					  "%s: %s: denied, never overflows", deny_one_vms[v].name, ctr->name);
			else
				ktap_check(!(r->irq_ovs & bit) && !(r->flags & bit) &&
					   r->value == ctr->preset,
					   "%s: %s: denied, never overflows: no IRQ, no flag, value kept (%#lx, %#lx, %#lx)",
					   deny_one_vms[v].name, ctr->name, r->irq_ovs, r->flags, r->value);
		}
	}
	ktap_finish();
}
