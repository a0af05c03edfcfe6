// SPDX-License-Identifier: GPL-2.0
/*
 * emulated_event_enables: SW_INCR and CHAIN, the events KVM counts itself
 * and the filter never applies to, count only where a hardware event
 * would: on an enabled counter, at an exception level its filter bits
 * include.
 *
 * Arm ARM (DDI 0487 M.a, CountPMUEvents(), D13.5.1, D13.7.3.2): a counter
 * below MDCR_EL2.HPMN is enabled by PMCR_EL0.E and one at or above it by
 * MDCR_EL2.HPME, each also by its PMCNTENSET bit; "the PMU must filter
 * software increment events according to the Exception level in which the
 * software increment occurred" (P at EL1, U at EL0, NSH at EL2), and
 * MDCR_EL2.HPMD prohibits counting at EL2 below HPMN.  The odd counter of
 * a chained pair counts CHAIN by its own enables (its filter bits may be
 * ignored: D14.3).  Each case is a fresh VM, run with no filter and with a
 * filter denying SW_INCR to CHAIN (which must change nothing); the case
 * that enables everything is the positive control of those that disable
 * one thing.  37 PMSWINC_EL0 writes each; for CHAIN, one write wraps the
 * even counter from 0xffffffff.
 */
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define WRITES		37
#define WRAP_PRESET	0xffffffffUL

enum counters { BOTH = 0, LOW_OFF = 1, HIGH_OFF = 2 };

struct enables_case {
	const char *name;
	enum guest_el el;
	bool from_el0;		/* PMSWINC_EL0 written at EL0 (PMUSERENR_EL0.SW) */
	bool chain;		/* SW_INCR wraps an even counter, the odd one counts CHAIN */
	bool reserved;		/* vEL2: the counters are at or above MDCR_EL2.HPMN */
	uint64_t evtyper;	/* the counters' filter bits */
	bool pmcr_e;
	uint64_t mdcr;		/* vEL2: MDCR_EL2.HPME, HPMD */
	enum counters disabled;	/* counters left clear in PMCNTENSET_EL0 */
};

static const struct enables_case cases[] = {
	{ .name = "EL1: SW_INCR, enabled", .el = GUEST_EL1, .pmcr_e = true },
	{ .name = "EL1: SW_INCR, PMCR_EL0.E=0", .el = GUEST_EL1 },
	{ .name = "EL1: SW_INCR, PMCNTENSET clear", .el = GUEST_EL1, .pmcr_e = true, .disabled = LOW_OFF },
	{ .name = "EL1: SW_INCR, P=1 (EL1 excluded), written at EL1", .el = GUEST_EL1, .pmcr_e = true,
	  .evtyper = PMEVTYPER_P },
	{ .name = "EL1: SW_INCR written at EL0, U=0", .el = GUEST_EL1, .from_el0 = true, .pmcr_e = true },
	{ .name = "EL1: SW_INCR written at EL0, U=1 (EL0 excluded)", .el = GUEST_EL1, .from_el0 = true,
	  .pmcr_e = true, .evtyper = PMEVTYPER_U },
	{ .name = "EL1: SW_INCR written at EL0, P=1 (EL1 excluded)", .el = GUEST_EL1, .from_el0 = true,
	  .pmcr_e = true, .evtyper = PMEVTYPER_P },
	{ .name = "EL1: CHAIN, both enabled", .el = GUEST_EL1, .chain = true, .pmcr_e = true },
	{ .name = "EL1: CHAIN, odd counter clear in PMCNTENSET", .el = GUEST_EL1, .chain = true,
	  .pmcr_e = true, .disabled = HIGH_OFF },
	{ .name = "vEL2: SW_INCR, NSH=1", .el = GUEST_EL2, .pmcr_e = true, .evtyper = PMEVTYPER_NSH },
	{ .name = "vEL2: SW_INCR, NSH=0 (EL2 excluded)", .el = GUEST_EL2, .pmcr_e = true },
	{ .name = "vEL2: SW_INCR below HPMN, MDCR_EL2.HPMD=1", .el = GUEST_EL2, .pmcr_e = true,
	  .evtyper = PMEVTYPER_NSH, .mdcr = MDCR_EL2_HPMD },
	{ .name = "vEL2: SW_INCR at HPMN, MDCR_EL2.HPME=1, PMCR_EL0.E=0", .el = GUEST_EL2, .reserved = true,
	  .evtyper = PMEVTYPER_NSH, .mdcr = MDCR_EL2_HPME },
	{ .name = "vEL2: SW_INCR at HPMN, MDCR_EL2.HPME=0, PMCR_EL0.E=1", .el = GUEST_EL2, .reserved = true,
	  .evtyper = PMEVTYPER_NSH, .pmcr_e = true },
	{ .name = "vEL2: SW_INCR at HPMN, MDCR_EL2.HPMD=1 (first range only)", .el = GUEST_EL2, .reserved = true,
	  .evtyper = PMEVTYPER_NSH, .mdcr = MDCR_EL2_HPME | MDCR_EL2_HPMD },
	{ .name = "vEL2: CHAIN at HPMN, MDCR_EL2.HPME=1, PMCR_EL0.E=0", .el = GUEST_EL2, .chain = true,
	  .reserved = true, .evtyper = PMEVTYPER_NSH, .mdcr = MDCR_EL2_HPME },
	{ .name = "vEL2: CHAIN at HPMN, MDCR_EL2.HPME=0, PMCR_EL0.E=1", .el = GUEST_EL2, .chain = true,
	  .reserved = true, .evtyper = PMEVTYPER_NSH, .pmcr_e = true },
};

static const struct filter_vm vms[] = {
	{ "no filter", { }, 0 },
	{ "DENY events 0..0x1e (SW_INCR to CHAIN)",
	  PMU_FILTER_RANGE(PMU_EV_SW_INCR, PMU_EV_CHAIN + 1, DENY), 1 },
};

static uint64_t el0_sw_increment(uint64_t mask)
{
	for (int i = 0; i < WRITES; i++)
		pmu_sw_increment(mask);
	return 0;
}

static void guest_code(uint64_t index)
{
	const struct enables_case *c = &cases[index];
	unsigned int n = pmu_nr_counters(), hpmn = n, low = 0;
	uint64_t en;

	GUEST_ASSERT_EQ(current_el(), c->el);
	guest_step("program the counters");
	pmu_reset();
	if (c->el == GUEST_EL2) {
		/* Reserve an even counter and its odd neighbour: [HPMN, N). */
		GUEST_ASSERT(n >= 4);
		if (c->reserved)
			hpmn = low = (n - 2) & ~1U;
		write_sysreg((read_sysreg(mdcr_el2) & ~(MDCR_EL2_HPMN_MASK | MDCR_EL2_HPME |
							  MDCR_EL2_HPMD)) | hpmn | c->mdcr, mdcr_el2);
		isb();
	}
	pmu_write_evtyper(low, PMU_EV_SW_INCR | c->evtyper);
	pmu_write_evtyper(low + 1, PMU_EV_CHAIN | c->evtyper);
	if (c->chain)
		pmu_write_counter(low, WRAP_PRESET);
	en = (c->disabled == LOW_OFF ? 0 : BIT(low)) | (c->disabled == HIGH_OFF ? 0 : BIT(low + 1));
	pmu_enable_counters(en);
	if (c->pmcr_e)
		pmu_start();

	guest_step("write PMSWINC_EL0");
	if (c->chain) {
		pmu_sw_increment(BIT(low));
	} else if (c->from_el0) {
		write_sysreg(PMUSERENR_SW, pmuserenr_el0);
		isb();
		guest_call_el0(el0_sw_increment, BIT(low));
	} else {
		el0_sw_increment(BIT(low));
	}
	pmu_stop();
	GUEST_SYNC(pmu_read_counter(low), pmu_read_counter(low + 1));
}

/* Whether a counter counts the writes, per the Arm ARM. */
static bool arch_counts(const struct enables_case *c, bool high)
{
	bool enabled = c->reserved ? c->mdcr & MDCR_EL2_HPME : c->pmcr_e;
	bool prohibited = c->el == GUEST_EL2 && !c->reserved && (c->mdcr & MDCR_EL2_HPMD);
	bool filtered = c->from_el0 ? c->evtyper & PMEVTYPER_U :
			c->el == GUEST_EL2 ? !(c->evtyper & PMEVTYPER_NSH) : c->evtyper & PMEVTYPER_P;

	if (c->disabled == (high ? HIGH_OFF : LOW_OFF) || !enabled)
		return false;
	/* CHAIN's own filter bits may be ignored (D14.3): the suite sets them alike. */
	return high || (!prohibited && !filtered);
}

/*
 * Finding 15's model of KVM's kvm_pmu_counter_increment(): PMCR_EL0.E and
 * PMCNTENSET only, for every counter; no HPME, HPMD or filter bits.
 */
static bool kvm_counts(const struct enables_case *c, bool high)
{
	return c->pmcr_e && c->disabled != (high ? HIGH_OFF : LOW_OFF);
}

struct result {
	struct guest_run run;
	uint64_t low, high;
};

static void run_case(unsigned int i, const struct filter_vm *fv, struct result *r)
{
	struct pmu_vm_config cfg = { .el = cases[i].el, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code, .arg = i };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&r->run);
	if (guest_run_sync(&r->run, vm->vcpus[0], &uc)) {
		r->low = uc.args[0];
		r->high = uc.args[1];
	}
	vm_free(vm);
}

/* SW_INCR's count, or the chained pair's (low wrapped, high's count). */
static bool observed(const struct enables_case *c, const struct result *r, bool low_counts,
		     bool high_counts)
{
	if (!c->chain)
		return r->low == (low_counts ? WRITES : 0);
	/* From PMUv3p5 counters are 64-bit: the wrap is at bit 32. */
	return (r->low & 0xffffffffUL) == (low_counts ? 0 : WRAP_PRESET) &&
	       r->high == (high_counts && low_counts);
}

static void check_case(unsigned int i, const struct filter_vm *fv, const struct result *r)
{
	const struct enables_case *c = &cases[i];
	bool low = arch_counts(c, false), high = arch_counts(c, true);
	bool ok = observed(c, r, low, high);
	bool predicted = observed(c, r, kvm_counts(c, false), kvm_counts(c, true));

	if (!r->run.ok)
		ktap_fail("%s, %s: guest failed: %s", fv->name, c->name, r->run.why);
	else if (c->chain)
		ktap_check_known("emulated-event-enables", ok, predicted,
				 "%s, %s: the odd counter %s (even %#lx, odd %lu)", fv->name,
				 c->name, low && high ? "counts the even one's wrap" :
				 "doesn't count", r->low, r->high);
	else
		ktap_check_known("emulated-event-enables", ok, predicted,
				 "%s, %s: %s (%lu of %d)", fv->name, c->name,
				 low ? "every write counts" : "no write counts", r->low, WRITES);
}

/* Why case @c can't run here, or NULL. */
static const char *unsupported(const struct enables_case *c)
{
	if (c->el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2))
		return "KVM offers no virtual EL2 (KVM_CAP_ARM_EL2 is 0)";
	if (c->from_el0 && platform_gap("el0-tpm"))
		return "this platform doesn't trap EL0 PMSWINC_EL0 writes with MDCR_EL2.TPM once PMUSERENR_EL0.SW allows them (QEMU 10.0 TCG): they reach the hardware PMU, not KVM";
	/* The partitioned backend leaves CHAIN to the hardware. */
	if (c->chain && pmu_backend() == PMU_BACKEND_PARTITIONED && platform_gap("chain"))
		return "the partitioned backend counts CHAIN in hardware, and this platform's PMU has no CHAIN event";
	return NULL;
}

int main(void)
{
	struct result r;

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(vms) * ARRAY_SIZE(cases));
	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++)
		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
			const char *why = unsupported(&cases[i]);

			if (why) {
				ktap_skip(why, "%s, %s", vms[v].name, cases[i].name);
				continue;
			}
			run_case(i, &vms[v], &r);
			check_case(i, &vms[v], &r);
		}
	ktap_finish();
}
