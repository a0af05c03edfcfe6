// SPDX-License-Identifier: GPL-2.0
/*
 * harness_exception_levels: a vCPU starts at exactly the exception level
 * its test asked for, and guest code can call down to the levels below.
 *
 * On a host booted with kvm-arm.mode=nested, a vCPU created from KVM's
 * preferred target may start at virtual EL2, where a counter with NSH=0
 * rightly stops counting: every PMU test would then measure the wrong
 * thing.  guest_start() already fails a case whose EL is not the asked
 * one; this test shows it holds for EL1 and for virtual EL2 with E2H=1
 * (VHE) and E2H=0, with a VM that has a vPMU, and that a guest hypervisor
 * can run a nested guest at EL1 which calls its own EL0.
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
	bool el2 = current_el() == 2;
	uint64_t hcr = el2 ? read_sysreg(hcr_el2) : 0;
	/* A non-VHE EL2 has no EL0 of its own. */
	bool has_el0 = !el2 || (hcr & HCR_E2H);

	guest_step("report the EL, then call EL0");
	GUEST_SYNC(current_el(), hcr, has_el0 ? guest_call_el0(el0_add_one, arg) : 0);
	if (el2) {
		guest_step("run a nested guest at EL1, which calls EL0");
		GUEST_SYNC(guest_call_el1(el1_nested, arg));
	}
}

static const struct el_case {
	const char *name;
	enum guest_el el;
	bool e2h0;
} cases[] = {
	{ "EL1", GUEST_EL1, false },
	{ "vEL2 (E2H=1)", GUEST_EL2, false },
	{ "vEL2 (E2H=0)", GUEST_EL2, true },
};

static unsigned int nr_checks(const struct el_case *c)
{
	return 1 + (c->el == GUEST_EL1 || !c->e2h0) + (c->el == GUEST_EL2);
}

static void check_el(const struct el_case *c)
{
	struct pmu_vm_config cfg = { .el = c->el, .e2h0 = c->e2h0, .code = guest_code,
				     .arg = 99 };
	struct vm *vm = pmu_vm_create(&cfg);
	bool e2h = !c->e2h0;
	struct ucall uc;

	if (vcpu_run_ucall(vm->vcpus[0], &uc) != UCALL_SYNC) {
		ktap_fail_n(nr_checks(c), "vCPU created for %s: %s", c->name, uc.text);
		vm_free(vm);
		return;
	}
	ktap_check(uc.args[0] == c->el && (c->el == GUEST_EL1 || !!(uc.args[1] & HCR_E2H) == e2h),
		   "vCPU created for %s runs at EL%lu, HCR_EL2 %#lx", c->name, uc.args[0],
		   uc.args[1]);
	if (c->el == GUEST_EL1 || e2h)
		ktap_check(uc.args[2] == 100, "EL0 call from %s returns (%lu)", c->name, uc.args[2]);
	if (c->el == GUEST_EL2) {
		vcpu_run_ucall(vm->vcpus[0], &uc);
		/* 1000 * CurrentEL at the nested guest + its EL0 call's 99 + 1 */
		if (!ktap_check(uc.cmd == UCALL_SYNC && uc.args[0] == 1100,
				"nested guest runs at EL1 under %s and calls its EL0 (%lu)",
				c->name, uc.args[0]))
			ktap_diag("%s", uc.text);
	}
	vm_free(vm);
}

int main(void)
{
	unsigned int plan = 0;

	pmu_vm_require(GUEST_EL1);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		plan += nr_checks(&cases[i]);
	ktap_start(plan);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct el_case *c = &cases[i];
		const char *why = NULL;

		if (c->el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2))
			why = "KVM_CAP_ARM_EL2 is 0 (boot with kvm-arm.mode=nested)";
		else if (c->e2h0 && !kvm_has_el2_e2h0())
			why = "KVM_CAP_ARM_EL2_E2H0 is 0";
		if (!why) {
			check_el(c);
			continue;
		}
		for (unsigned int n = 0; n < nr_checks(c); n++)
			ktap_skip(why, "vCPU created for %s: check %u", c->name, n + 1);
	}
	ktap_finish();
}
