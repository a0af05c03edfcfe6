// SPDX-License-Identifier: GPL-2.0
/*
 * filter_random: for random filters, every counter counts exactly when the
 * model of the documented semantics says its event may count.
 *
 * Each run draws NR_FILTERS random range lists (seed printed; KPF_SEED or
 * --seed reproduces them) and runs one guest program per filter: SW_INCR,
 * CPU_CYCLES and INST_RETIRED on event counters and the cycle counter,
 * around the same loop.  An unfiltered VM, run twice, is the positive
 * control and tells whether counts are exact here (QEMU with icount): if
 * so, an allowed counter must count exactly what it counts unfiltered.
 */
#include <string.h>

#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_seed.h"
#include "test_util.h"
#include "ucall.h"

#define NR_FILTERS	8
#define MAX_RANGES	6
#define ITERS		3000
#define SWINC_WRITES	11

static const struct counter {
	const char *name;
	unsigned int idx, event;
} counters[] = {
	{ "SW_INCR on counter 0", 0, PMU_EV_SW_INCR },
	{ "CPU_CYCLES on counter 1", 1, PMU_EV_CPU_CYCLES },
	{ "INST_RETIRED on counter 2", 2, PMU_EV_INST_RETIRED },
	{ "cycle counter", PMU_CYCLE_IDX, PMU_EV_CPU_CYCLES },
};
#define NR_CTRS	ARRAY_SIZE(counters)

static void guest_code(uint64_t arg)
{
	uint64_t mask = 0;

	guest_step("program every counter");
	pmu_reset();
	for (unsigned int c = 0; c < NR_CTRS; c++) {
		pmu_write_evtyper(counters[c].idx,
				  counters[c].idx == PMU_CYCLE_IDX ? 0 : counters[c].event);
		mask |= BIT(counters[c].idx);
	}
	pmu_enable_counters(mask);
	guest_step("count the loop and the software increments");
	pmu_start();
	pmu_workload(ITERS);
	for (int i = 0; i < SWINC_WRITES; i++)
		pmu_sw_increment(BIT(counters[0].idx));
	pmu_stop();
	GUEST_SYNC(pmu_read_counter(counters[0].idx), pmu_read_counter(counters[1].idx),
		   pmu_read_counter(counters[2].idx), pmu_read_counter(counters[3].idx));
}

static bool measure(const struct kvm_pmu_event_filter *f, unsigned int nr,
		    uint64_t out[NR_CTRS], char *why, size_t len)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = f, .nr_filters = nr,
				     .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;
	bool ok = vcpu_run_sync(vm->vcpus[0], &uc, why, len);

	memcpy(out, uc.args, NR_CTRS * sizeof(out[0]));
	vm_free(vm);
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t base[NR_CTRS], again[NR_CTRS], got[NR_CTRS], seed;
	struct kvm_pmu_event_filter f[MAX_RANGES];
	static struct pmu_filter_model m;
	char why[UCALL_TEXT_LEN];
	unsigned int space;
	bool exact;

	pmu_vm_require(GUEST_EL1);
	ktap_start(NR_FILTERS * NR_CTRS);
	seed = test_seed(argc, argv);
	if (!measure(NULL, 0, base, why, sizeof(why)) ||
	    !measure(NULL, 0, again, why, sizeof(why)))
		ktap_skip_all("the unfiltered VM failed: %s", why);
	exact = !memcmp(base, again, sizeof(base));
	ktap_diag("unfiltered counts %lu %lu %lu %lu; %s", base[0], base[1], base[2], base[3],
		  exact ? "identical twice: allowed counts must match exactly" :
			  "not repeatable here: allowed counts must be non-zero");
	{
		struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = guest_code };
		struct vm *vm = pmu_vm_create(&cfg);

		space = vcpu_pmu_event_space(vm->vcpus[0]);
		vm_free(vm);
	}

	for (unsigned int i = 0; i < NR_FILTERS; i++) {
		unsigned int nr = pmu_filter_random(f, MAX_RANGES, space, &seed);
		bool ran = measure(f, nr, got, why, sizeof(why));

		pmu_filter_model_init(&m, space);
		for (unsigned int r = 0; r < nr; r++) {
			pmu_filter_model_apply(&m, &f[r]);
			ktap_diag("filter %u range %u: %s [%#x,+%u)", i, r,
				  f[r].action == PMU_EVENT_ALLOW ? "ALLOW" : "DENY",
				  f[r].base_event, f[r].nevents);
		}
		for (unsigned int c = 0; c < NR_CTRS; c++) {
			const char *cn = counters[c].name;

			if (!ran)
				ktap_fail("filter %u: %s: guest failed: %s", i, cn, why);
			else if (!platform_counts(counters[c].event, GUEST_EL1))
				ktap_skip("this platform doesn't count it",
					  "filter %u: %s", i, cn);
			else if (!pmu_filter_model_counts(&m, counters[c].event))
				ktap_check(got[c] == 0, "filter %u: %s: denied, never counts (%lu)",
					   i, cn, got[c]);
			else
				ktap_check(exact ? got[c] == base[c] && base[c] : got[c] > 0,
					   "filter %u: %s: allowed, counts %s (%lu, unfiltered %lu)",
					   i, cn, exact ? "the same" : "", got[c], base[c]);
		}
	}
	ktap_finish();
}
