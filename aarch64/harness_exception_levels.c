// SPDX-License-Identifier: GPL-2.0
/*
 * harness_exception_levels: a vCPU starts at exactly the exception level
 * its test asked for, and guest code can call down to EL0 from there.
 *
 * On a host booted with kvm-arm.mode=nested, a vCPU created from KVM's
 * preferred target may start at virtual EL2, where a counter with NSH=0
 * rightly stops counting: every PMU test would then measure the wrong
 * thing.  guest_start() already fails a case whose EL is not the asked
 * one; this test shows it holds for both ELs, with a VM that has a vPMU.
 */
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

static uint64_t el0_add_one(uint64_t x)
{
	return x + 1;
}

/* Runs as a nested guest at EL1, under the vEL2 guest hypervisor. */
static uint64_t el1_nested(uint64_t x)
{
	return 1000 * current_el() + guest_call_el0(el0_add_one, x);
}

static void guest_code(uint64_t arg)
{
	uint64_t hcr = current_el() == 2 ? read_sysreg(hcr_el2) : 0;

	guest_step("report the EL, then call EL0");
	GUEST_SYNC(current_el(), hcr, guest_call_el0(el0_add_one, arg));
	if (current_el() == 2) {
		guest_step("run a nested guest at EL1, which calls EL0");
		GUEST_SYNC(guest_call_el1(el1_nested, arg));
	}
}

static void check_el(enum guest_el el)
{
	struct pmu_vm_config cfg = { .el = el, .code = guest_code, .arg = 99 };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	vcpu_run_ucall(vm->vcpus[0], &uc);
	if (uc.cmd != UCALL_SYNC) {
		ktap_fail("vCPU created for EL%d: %s", el, uc.text);
		ktap_fail("EL0 call from EL%d: guest failed", el);
	} else {
		ktap_check(uc.args[0] == el, "vCPU created for EL%d runs at EL%lu%s", el,
			   uc.args[0], el == GUEST_EL2 && (uc.args[1] & HCR_E2H) ?
			   " with HCR_EL2.E2H=1" : "");
		ktap_check(uc.args[2] == 100, "EL0 call from EL%d returns (%lu)", el,
			   uc.args[2]);
	}
	if (el == GUEST_EL2) {
		vcpu_run_ucall(vm->vcpus[0], &uc);
		/* 1000 * CurrentEL at the nested guest + its EL0 call's 99 + 1 */
		if (!ktap_check(uc.cmd == UCALL_SYNC && uc.args[0] == 1100,
				"nested guest runs at EL1 under vEL2 and calls its EL0 (%lu)",
				uc.args[0]))
			ktap_diag("%s", uc.text);
	}
	vm_free(vm);
}

int main(void)
{
	pmu_vm_require(GUEST_EL1);
	ktap_start(5);
	check_el(GUEST_EL1);
	if (kvm_check_cap(KVM_CAP_ARM_EL2)) {
		check_el(GUEST_EL2);
	} else {
		ktap_skip("KVM_CAP_ARM_EL2 is 0 (boot with kvm-arm.mode=nested)",
			  "vCPU created for EL2 runs at EL2");
		ktap_skip("KVM_CAP_ARM_EL2 is 0", "EL0 call from EL2 returns");
		ktap_skip("KVM_CAP_ARM_EL2 is 0", "nested guest runs at EL1 under vEL2");
	}
	ktap_finish();
}
