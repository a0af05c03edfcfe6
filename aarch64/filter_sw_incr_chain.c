// SPDX-License-Identifier: GPL-2.0
/*
 * filter_sw_incr_chain: "Event 0 (SW_INCR) is never filtered" and
 * "filtering event 0x1E (CHAIN) has no effect" (KVM API, devices/vcpu.rst
 * 1.3), while the event a chain counts is filtered as any other.
 *
 * SW_INCR: a counter programmed with event 0 counts every PMSWINC_EL0 write,
 * exactly, whatever the filter.  CHAIN: counter 0 counts CPU_CYCLES from
 * just below 2^32, counter 1 counts CHAIN, so counter 1 advances by one when
 * counter 0 wraps.  The pair counts when CPU_CYCLES is allowed (with or
 * without CHAIN in the filter), and neither half moves when CPU_CYCLES is
 * denied; the allowing VMs are that check's positive control.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define SWINC_COUNTER	2
#define SWINC_WRITES	37
#define CHAIN_LOW	0
#define CHAIN_HIGH	1
#define CHAIN_PRESET	(0xffffffffUL - 100)	/* the loop wraps it once */
#define ITERS		5000

static void guest_code(uint64_t arg)
{
	uint64_t sw_incr, low, high;

	guest_step("count PMSWINC_EL0 writes on a SW_INCR counter");
	pmu_reset();
	pmu_write_evtyper(SWINC_COUNTER, PMU_EV_SW_INCR);
	pmu_enable_counters(BIT(SWINC_COUNTER));
	pmu_start();
	for (int i = 0; i < SWINC_WRITES; i++)
		pmu_sw_increment(BIT(SWINC_COUNTER));
	pmu_stop();
	sw_incr = pmu_read_counter(SWINC_COUNTER);

	guest_step("count CPU_CYCLES on a chained pair");
	pmu_reset();
	pmu_write_evtyper(CHAIN_LOW, PMU_EV_CPU_CYCLES);
	pmu_write_evtyper(CHAIN_HIGH, PMU_EV_CHAIN);
	pmu_write_counter(CHAIN_LOW, CHAIN_PRESET);
	pmu_enable_counters(BIT(CHAIN_LOW) | BIT(CHAIN_HIGH));
	pmu_start();
	pmu_workload(ITERS);
	pmu_stop();
	low = pmu_read_counter(CHAIN_LOW);
	high = pmu_read_counter(CHAIN_HIGH);
	GUEST_SYNC(sw_incr, low, high);
}


static const struct chain_case {
	const char *name;
	struct kvm_pmu_event_filter ranges[2];
	unsigned int nr;
} cases[] = {
	{ "no filter", { }, 0 },
	{ "DENY SW_INCR and CHAIN",
	  { PMU_FILTER_RANGE(PMU_EV_SW_INCR, 1, DENY), PMU_FILTER_RANGE(PMU_EV_CHAIN, 1, DENY) }, 2 },
	{ "ALLOW CPU_CYCLES only (default deny)", { PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, ALLOW) }, 1 },
	{ "DENY CPU_CYCLES", { PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, DENY) }, 1 },
};

struct result {
	struct guest_run run;
	uint64_t sw_incr, low, high;
};

static void run(const struct chain_case *c, struct result *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = c->ranges,
				     .nr_filters = c->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&r->run);
	if (guest_run_sync(&r->run, vm->vcpus[0], &uc)) {
		r->sw_incr = uc.args[0];
		r->low = uc.args[1];
		r->high = uc.args[2];
	}
	vm_free(vm);
}

int main(void)
{
	struct result res[ARRAY_SIZE(cases)];
	bool chain_counted;
	/* The partitioned backend leaves CHAIN to the hardware. */
	bool hw_chain = pmu_backend() != PMU_BACKEND_PARTITIONED || !platform_gap("chain");

	pmu_vm_require(GUEST_EL1);
	ktap_start(2 * ARRAY_SIZE(cases));
	chain_counted = platform_counts(PMU_EV_CPU_CYCLES, GUEST_EL1);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		run(&cases[i], &res[i]);

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct chain_case *c = &cases[i];
		const struct result *r = &res[i];

		if (!r->run.ok) {
			ktap_fail_n(2, "%s: guest failed: %s", c->name, r->run.why);
			continue;
		}
		ktap_check(r->sw_incr == SWINC_WRITES,
			   "%s: SW_INCR counts every PMSWINC_EL0 write (%lu of %d)",
			   c->name, r->sw_incr, SWINC_WRITES);
		if (pmu_filter_counts(c->ranges, c->nr, PMU_EV_CPU_CYCLES) && !hw_chain)
			ktap_skip("the partitioned backend counts CHAIN in hardware, and this platform's PMU has no CHAIN event",
				  "%s: chained pair over allowed CPU_CYCLES wraps into CHAIN", c->name);
		else if (pmu_filter_counts(c->ranges, c->nr, PMU_EV_CPU_CYCLES))
			/* From PMUv3p5 counters are 64-bit: the wrap is at bit 32. */
			ktap_check(r->high == 1 && (r->low & 0xffffffffUL) < CHAIN_PRESET,
				   "%s: chained pair over allowed CPU_CYCLES wraps into CHAIN (high %lu, low %#lx)",
				   c->name, r->high, r->low);
		else if (chain_counted)
			ktap_check(r->high == 0 && r->low == CHAIN_PRESET,
				   "%s: chained pair over denied CPU_CYCLES never moves (high %lu, low %#lx)",
				   c->name, r->high, r->low);
		else
			ktap_skip("this platform doesn't count CPU_CYCLES",
				  "%s: chained pair over denied CPU_CYCLES never moves", c->name);
	}
	ktap_finish();
}
