// SPDX-License-Identifier: GPL-2.0
/*
 * filter_pmceid: the guest's PMCEID0/1_EL0 advertise exactly the common
 * events the vPMU implements and the VM's filter lets count.
 *
 * Expected values come from the unfiltered VM's PMCEID (what the vPMU
 * implements) and the model of the documented filter semantics: the first
 * range sets the default, later ranges override, cancelling doesn't restore
 * the default, an empty first range still sets it.  Events 0x4000..0x403f
 * are the upper halves (PMUv3p1 and later).  "Event 0 (SW_INCR) is never
 * filtered" and "filtering CHAIN has no effect": both stay advertised, a
 * clause with its own checks.  Random filters (seeded) complete the table.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_seed.h"
#include "test_util.h"
#include "ucall.h"

#define NR_RANDOM	16
#define MAX_RANGES	8
#define SW_INCR_CHAIN	(BIT(PMU_EV_SW_INCR) | BIT(PMU_EV_CHAIN))

static void guest_code(uint64_t arg)
{
	guest_step("read PMCEID0/1_EL0");
	GUEST_SYNC(pmu_pmceid(0), pmu_pmceid(1));
}


static const struct pmceid_case {
	const char *clause;
	struct kvm_pmu_event_filter ranges[MAX_RANGES];
	unsigned int nr;
} cases[] = {
	{ "first range ALLOW: default deny",
	  { PMU_FILTER_RANGE(PMU_EV_INST_RETIRED, 1, ALLOW) }, 1 },
	{ "first range DENY: default allow",
	  { PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, DENY) }, 1 },
	{ "a later range overrides an earlier one",
	  { PMU_FILTER_RANGE(0x00, 0x40, DENY), PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, ALLOW) }, 2 },
	{ "cancelling the first ALLOW keeps default deny",
	  { PMU_FILTER_RANGE(0x08, 10, ALLOW), PMU_FILTER_RANGE(0x08, 10, DENY) }, 2 },
	{ "overlapping ranges, the last wins",
	  { PMU_FILTER_RANGE(0x00, 0x20, ALLOW), PMU_FILTER_RANGE(0x10, 0x20, DENY) }, 2 },
	{ "adjacent ranges",
	  { PMU_FILTER_RANGE(PMU_EV_INST_RETIRED, 1, ALLOW), PMU_FILTER_RANGE(0x09, 8, ALLOW),
	    PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, ALLOW) }, 3 },
	{ "an empty first ALLOW range sets default deny",
	  { PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 0, ALLOW) }, 1 },
	{ "an empty first DENY range sets default allow",
	  { PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 0, DENY) }, 1 },
	{ "ranges over the upper half 0x4000..0x403f",
	  { PMU_FILTER_RANGE(0x4000, 0x20, DENY), PMU_FILTER_RANGE(0x4004, 2, ALLOW) }, 2 },
};

/* PMCEID0/1 as the guest of a VM with @f reads them: [0] bits 0..31 | 0x4000.. << 32 */
static bool read_pmceid(const struct kvm_pmu_event_filter *f, unsigned int nr,
			uint64_t pmceid[2], char *why, size_t len)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = f, .nr_filters = nr,
				     .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;
	bool ok = vcpu_run_sync(vm->vcpus[0], &uc, why, len);

	pmceid[0] = uc.args[0];
	pmceid[1] = uc.args[1];
	vm_free(vm);
	return ok;
}

/* Bit @bit of PMCEID<n> stands for event (bit < 32 ? 0 : 0x4000) + 32 * n + bit % 32. */
static unsigned int bit_event(unsigned int n, unsigned int bit)
{
	return (bit < 32 ? 0 : 0x4000) + 32 * n + bit % 32;
}

/* What PMCEID<0,1> must read with @f installed, given the unfiltered values. */
static void expected_pmceid(const struct kvm_pmu_event_filter *f, unsigned int nr,
			    unsigned int space, const uint64_t unfiltered[2], uint64_t out[2])
{
	static struct pmu_filter_model m;

	pmu_filter_model_init(&m, space);
	for (unsigned int i = 0; i < nr; i++)
		pmu_filter_model_apply(&m, &f[i]);
	for (unsigned int n = 0; n < 2; n++) {
		out[n] = 0;
		for (unsigned int bit = 0; bit < 64; bit++)
			if (pmu_filter_model_counts(&m, bit_event(n, bit)))
				out[n] |= BIT(bit);
		out[n] &= unfiltered[n];
	}
}

static void describe(char *buf, size_t len, const struct kvm_pmu_event_filter *f,
		     unsigned int nr)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < nr && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%s [%#x,+%u)", i ? ", " : "",
			       f[i].action == PMU_EVENT_ALLOW ? "ALLOW" : "DENY",
			       f[i].base_event, f[i].nevents);
}

/* All bits but SW_INCR's and CHAIN's, whose clause is checked on its own. */
static void check_filter(const char *what, const struct kvm_pmu_event_filter *f,
			 unsigned int nr, unsigned int space, const uint64_t unfiltered[2])
{
	uint64_t got[2], want[2];
	char why[UCALL_TEXT_LEN];

	if (!read_pmceid(f, nr, got, why, sizeof(why))) {
		ktap_fail("%s: guest failed: %s", what, why);
		return;
	}
	expected_pmceid(f, nr, space, unfiltered, want);
	ktap_check((got[0] & ~SW_INCR_CHAIN) == (want[0] & ~SW_INCR_CHAIN) && got[1] == want[1],
		   "%s: PMCEID0 %#lx PMCEID1 %#lx (want %#lx %#lx, SW_INCR/CHAIN aside)",
		   what, got[0], got[1], want[0] & ~SW_INCR_CHAIN, want[1]);
}

static void check_sw_incr_chain(const uint64_t unfiltered[2])
{
	static const struct kvm_pmu_event_filter deny[] = {
		PMU_FILTER_RANGE(PMU_EV_SW_INCR, 1, DENY), PMU_FILTER_RANGE(PMU_EV_CHAIN, 1, DENY),
	};
	uint64_t got[2];
	char why[UCALL_TEXT_LEN];

	if (!read_pmceid(deny, ARRAY_SIZE(deny), got, why, sizeof(why))) {
		ktap_fail("DENY SW_INCR, CHAIN: guest failed: %s", why);
		ktap_fail("DENY SW_INCR, CHAIN: guest failed");
		return;
	}
	/* Finding 1: the filter's bitmap clears the bit of an event that counts. */
	ktap_check_known("pmceid-sw-incr", (got[0] & BIT(PMU_EV_SW_INCR)) ==
			 (unfiltered[0] & BIT(PMU_EV_SW_INCR)),
			 !(got[0] & BIT(PMU_EV_SW_INCR)) && (unfiltered[0] & BIT(PMU_EV_SW_INCR)),
			 "DENY SW_INCR: PMCEID0 still advertises SW_INCR, never filtered (%#lx)",
			 got[0]);
	ktap_check_known("pmceid-chain", (got[0] & BIT(PMU_EV_CHAIN)) ==
			 (unfiltered[0] & BIT(PMU_EV_CHAIN)),
			 !(got[0] & BIT(PMU_EV_CHAIN)) && (unfiltered[0] & BIT(PMU_EV_CHAIN)),
			 "DENY CHAIN: PMCEID0 still advertises CHAIN, filtering it has no effect (%#lx)",
			 got[0]);
}

int main(int argc, char **argv)
{
	struct kvm_pmu_event_filter f[MAX_RANGES];
	uint64_t unfiltered[2], seed;
	char why[UCALL_TEXT_LEN], what[256];
	unsigned int space;
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = guest_code };
	struct vm *vm;

	pmu_vm_require(GUEST_EL1);
	vm = pmu_vm_create(&cfg);
	space = vcpu_pmu_event_space(vm->vcpus[0]);
	vm_free(vm);

	ktap_start(ARRAY_SIZE(cases) + 2 + NR_RANDOM);
	seed = test_seed(argc, argv);
	if (!read_pmceid(NULL, 0, unfiltered, why, sizeof(why)))
		ktap_skip_all("the unfiltered VM failed: %s", why);
	ktap_diag("unfiltered PMCEID0 %#lx PMCEID1 %#lx, event space %u",
		  unfiltered[0], unfiltered[1], space);

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pmceid_case *c = &cases[i];
		bool upper = c->ranges[0].base_event >= 0x4000;

		if (upper && (space < 0x4040 || !((unfiltered[0] | unfiltered[1]) >> 32)))
			ktap_skip("the vPMU advertises no event in 0x4000..0x403f", "%s", c->clause);
		else
			check_filter(c->clause, c->ranges, c->nr, space, unfiltered);
	}
	check_sw_incr_chain(unfiltered);

	for (unsigned int i = 0; i < NR_RANDOM; i++) {
		unsigned int nr = pmu_filter_random(f, MAX_RANGES, space, &seed);

		describe(what, sizeof(what), f, nr);
		check_filter(what, f, nr, space, unfiltered);
	}
	ktap_finish();
}
