// SPDX-License-Identifier: GPL-2.0
/*
 * counters_given: the guest sees exactly the event counters its VM was
 * given, and the bits of the others are out of its reach.
 *
 * PMCR_EL0.N read by the guest equals what KVM reports to userspace
 * (KVM_GET_ONE_REG of PMCR_EL0), on either backend; with a partitioned PMU
 * that is the host's guest share, and the remaining counters are the
 * host's.  Bits of PMCNTENSET_EL0, PMINTENSET_EL1 and PMOVSSET_EL0 for
 * counters N..30 are RAZ/WI to the guest (Arm ARM, D24: accessible counters
 * only), so a guest can neither see nor enable the counters it wasn't
 * given, the host's among them.  Positive control: the bits of counters
 * 0..N-1 and the cycle counter read back set.
 *
 * On the partitioned backend the hardware enforces the counters' range
 * (MDCR_EL2.HPMN) and KVM traps none of these registers: a platform known
 * not to apply HPMN to EL1 accesses ($KPF_PLATFORM_GAPS has "hpmn", QEMU
 * 10.0 TCG: target/arm/helper.c masks these registers with the hardware
 * N only) can't tell, and those checks SKIP.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ALL_COUNTERS	(GENMASK(30, 0) | BIT(PMU_CYCLE_IDX))

static void guest_code(uint64_t arg)
{
	(void)arg;
	guest_step("read PMCR_EL0.N");
	pmu_reset();
	GUEST_SYNC(pmu_nr_counters());

	guest_step("set every bit of PMCNTENSET, PMINTENSET, PMOVSSET");
	write_sysreg(ALL_COUNTERS, pmcntenset_el0);
	write_sysreg(ALL_COUNTERS, pmintenset_el1);
	write_sysreg(ALL_COUNTERS, pmovsset_el0);
	isb();
	GUEST_SYNC(read_sysreg(pmcntenset_el0), read_sysreg(pmintenset_el1),
		   read_sysreg(pmovsset_el0));

	guest_step("clear them again");
	write_sysreg(ALL_COUNTERS, pmcntenclr_el0);
	write_sysreg(ALL_COUNTERS, pmintenclr_el1);
	write_sysreg(ALL_COUNTERS, pmovsclr_el0);
	isb();
}

int main(void)
{
	static const char *const regs[] = { "PMCNTENSET_EL0", "PMINTENSET_EL1", "PMOVSSET_EL0" };
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = guest_code };
	bool hw_range = pmu_backend() == PMU_BACKEND_PARTITIONED;
	uint64_t n = 0, user_n, given;
	struct ucall uc;
	struct vm *vm;

	pmu_vm_require(GUEST_EL1);
	ktap_start(1 + 2 * ARRAY_SIZE(regs));
	vm = pmu_vm_create(&cfg);
	user_n = (vcpu_get_reg(vm->vcpus[0], ID_PMCR_EL0) >> PMCR_N_SHIFT) & PMCR_N_MASK;
	if (vcpu_run_ucall(vm->vcpus[0], &uc) != UCALL_SYNC ||
	    (n = uc.args[0], vcpu_run_ucall(vm->vcpus[0], &uc) != UCALL_SYNC)) {
		ktap_fail_n(1 + 2 * ARRAY_SIZE(regs), "guest failed: %s", uc.text);
		vm_free(vm);
		ktap_finish();
	}
	ktap_check(n == user_n && n > 0,
		   "the guest's PMCR_EL0.N is what KVM_GET_ONE_REG reports (%lu, %lu)", n, user_n);
	given = GENMASK(n - 1, 0) | BIT(PMU_CYCLE_IDX);
	for (unsigned int r = 0; r < ARRAY_SIZE(regs); r++) {
		uint64_t got = uc.args[r];

		ktap_check((got & given) == given,
			   "%s: the bits of counters 0..%lu and C read back set (%#lx)",
			   regs[r], n - 1, got);
		if (hw_range && platform_gap("hpmn"))
			ktap_skip("this platform doesn't apply MDCR_EL2.HPMN to EL1 accesses (QEMU 10.0 TCG)",
				  "%s: the bits of counters %lu..30 are RAZ/WI", regs[r], n);
		else
			ktap_check(!(got & ~given), "%s: the bits of counters %lu..30 are RAZ/WI (%#lx)",
				   regs[r], n, got & ~given);
	}
	vm_free(vm);
	ktap_finish();
}
