// SPDX-License-Identifier: GPL-2.0
/*
 * filter_counter_index: the filter holds on every implemented event counter,
 * whether the guest programs it directly (PMEVTYPER<n>_EL0) or through
 * PMSELR_EL0 + PMXEVTYPER_EL0.
 *
 * KVM traps both paths to the same emulation today; a PMU that gives guests
 * hardware counters must filter what either path writes, on every index.
 * Each counter counts INST_RETIRED around the same loop in two VMs: with a
 * filter allowing it (must count: the positive control) and with one
 * denying it (must never count).  Where the platform can't count
 * INST_RETIRED at all (QEMU without icount), the checks SKIP.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define EVENT		PMU_EV_INST_RETIRED
#define ITERS		5000
#define MAX_COUNTERS	31

enum method { DIRECT, INDIRECT, NR_METHODS };
static const char *const method_names[] = { "PMEVTYPER<n>", "PMSELR+PMXEVTYPER" };

static void guest_code(uint64_t arg)
{
	unsigned int n = pmu_nr_counters();

	for (unsigned int idx = 0; idx < n; idx++) {
		for (unsigned int m = 0; m < NR_METHODS; m++) {
			guest_step("program one counter and count the loop");
			pmu_reset();
			if (m == DIRECT)
				pmu_write_evtyper(idx, EVENT);
			else
				pmu_write_evtyper_indirect(idx, EVENT);
			pmu_enable_counters(BIT(idx));
			pmu_start();
			pmu_workload(ITERS);
			pmu_stop();
			GUEST_SYNC(idx, m, m == DIRECT ? pmu_read_counter(idx) :
					   pmu_read_counter_indirect(idx));
		}
	}
}

static const struct kvm_pmu_event_filter allow[] = {
	{ .base_event = EVENT, .nevents = 1, .action = PMU_EVENT_ALLOW },
};
static const struct kvm_pmu_event_filter deny[] = {
	{ .base_event = EVENT, .nevents = 1, .action = PMU_EVENT_DENY },
};

/* counts[idx][method] with filter @f (or none), or false with @uc->text. */
static bool measure(const struct kvm_pmu_event_filter *f, unsigned int nr_counters,
		    uint64_t counts[][NR_METHODS], struct ucall *uc)
{
	struct pmu_vm_config cfg = {
		.el = GUEST_EL1, .filters = f, .nr_filters = f ? 1 : 0,
		.code = guest_code,
	};
	struct vm *vm = pmu_vm_create(&cfg);
	bool ok = true;

	for (unsigned int i = 0; ok && i < nr_counters * NR_METHODS; i++) {
		ok = vcpu_run_ucall(vm->vcpus[0], uc) == UCALL_SYNC &&
		     uc->args[0] == i / NR_METHODS && uc->args[1] == i % NR_METHODS;
		if (ok)
			counts[i / NR_METHODS][i % NR_METHODS] = uc->args[2];
		else if (!ucall_failed(uc))
			snprintf(uc->text, sizeof(uc->text), "guest out of step (cmd %lu)", uc->cmd);
	}
	vm_free(vm);
	return ok;
}

static unsigned int vpmu_nr_counters(void)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	unsigned int n = (vcpu_get_reg(vm->vcpus[0], ID_PMCR_EL0) >> PMCR_N_SHIFT) & PMCR_N_MASK;

	vm_free(vm);
	return n;
}

int main(void)
{
	static uint64_t allowed[MAX_COUNTERS][NR_METHODS], denied[MAX_COUNTERS][NR_METHODS];
	struct ucall uc_allow, uc_deny;
	bool ran_allow, ran_deny, platform;
	unsigned int n;

	pmu_vm_require(GUEST_EL1);
	n = vpmu_nr_counters();
	ktap_start(2 * n * NR_METHODS);
	platform = platform_counts(EVENT, GUEST_EL1);
	ran_allow = measure(allow, n, allowed, &uc_allow);
	ran_deny = measure(deny, n, denied, &uc_deny);

	for (unsigned int idx = 0; idx < n; idx++) {
		for (unsigned int m = 0; m < NR_METHODS; m++) {
			const char *how = method_names[m];

			if (!ran_allow)
				ktap_fail("counter %u via %s, allowed: %s", idx, how, uc_allow.text);
			else if (!platform)
				ktap_skip("this platform doesn't count INST_RETIRED",
					  "counter %u via %s counts allowed INST_RETIRED", idx, how);
			else
				ktap_check(allowed[idx][m] > 0,
					   "counter %u via %s counts allowed INST_RETIRED (%lu)",
					   idx, how, allowed[idx][m]);
			if (!ran_deny)
				ktap_fail("counter %u via %s, denied: %s", idx, how, uc_deny.text);
			else if (!platform)
				ktap_skip("this platform doesn't count INST_RETIRED",
					  "counter %u via %s never counts denied INST_RETIRED", idx, how);
			else
				ktap_check(denied[idx][m] == 0,
					   "counter %u via %s never counts denied INST_RETIRED (%lu)",
					   idx, how, denied[idx][m]);
		}
	}
	ktap_finish();
}
