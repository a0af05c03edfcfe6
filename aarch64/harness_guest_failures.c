// SPDX-License-Identifier: GPL-2.0
/*
 * harness_guest_failures: the harness turns every way a guest can go wrong
 * into a readable failure of one case, never a hang or a crash of the test.
 *
 * Every "never counts" check elsewhere is only as good as this: a guest
 * that faults, asserts, hangs or starts at the wrong EL must be reported
 * with what happened (ESR/ELR/FAR decoded) and the step it was in.  Also
 * checks the two ways guest code leaves EL1 and comes back: EL0 calls.
 */
#include <stdlib.h>
#include <string.h>

#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define UNMAPPED_VA	0x7f0000000000UL

static void guest_data_abort(uint64_t arg)
{
	guest_step("read an unmapped address");
	(void)*(volatile uint64_t *)UNMAPPED_VA;
}

static void guest_undef(uint64_t arg)
{
	guest_step("execute an undefined instruction");
	asm volatile(".inst 0x00000000");
}

static void guest_assert(uint64_t arg)
{
	guest_step("assert something false");
	GUEST_ASSERT_EQ(arg, 42);
}

static void guest_hang(uint64_t arg)
{
	guest_step("spin forever");
	for (;;)
		asm volatile("nop");
}

/* Runs at EL0, where even CurrentEL is UNDEFINED. */
static uint64_t el0_double(uint64_t x)
{
	return 2 * x + 1;
}

static void guest_el0(uint64_t arg)
{
	guest_step("call EL0 code");
	GUEST_SYNC(guest_call_el0(el0_double, arg), current_el());
}

static const struct failure_case {
	const char *name;
	guest_code_t code;
	uint64_t arg;
	enum ucall_cmd expect;
	const char *must_say[3];	/* substrings of the report */
} failures[] = {
	{ "data abort is reported decoded", guest_data_abort, 0, UCALL_EXCEPTION,
	  { "data abort, same EL: translation fault", "FAR=0x7f0000000000",
	    "step 'read an unmapped address'" } },
	{ "undefined instruction is reported", guest_undef, 0, UCALL_EXCEPTION,
	  { "unknown reason", "ELR=0x", "step 'execute an undefined instruction'" } },
	{ "guest assert is reported with file:line and values", guest_assert, 7,
	  UCALL_ASSERT, { "harness_guest_failures.c:", "arg == 42 (0x7 != 0x2a)",
			  "step 'assert something false'" } },
	{ "hung guest is stopped by the run timeout", guest_hang, 0, UCALL_TIMEOUT,
	  { "guest still running after", "PC=0x", "step 'spin forever'" } },
};

static struct vm *one_vcpu_vm(guest_code_t code, uint64_t arg)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = code, .arg = arg };

	return pmu_vm_create(&cfg);
}

static void check_failure(const struct failure_case *c)
{
	struct vm *vm = one_vcpu_vm(c->code, c->arg);
	struct ucall uc;
	bool ok;

	vcpu_run_ucall(vm->vcpus[0], &uc);
	ok = uc.cmd == c->expect;
	for (unsigned int i = 0; ok && i < ARRAY_SIZE(c->must_say); i++)
		ok = strstr(uc.text, c->must_say[i]) != NULL;
	if (!ktap_check(ok, "%s", c->name))
		ktap_diag("got cmd %lu: %s", uc.cmd, uc.text);
	vm_free(vm);
}

static void check_el0_call(void)
{
	struct vm *vm = one_vcpu_vm(guest_el0, 20);
	struct ucall uc;

	vcpu_run_ucall(vm->vcpus[0], &uc);
	/* 2 * 20 + 1 computed at EL0, and back at EL1 afterwards. */
	if (!ktap_check(uc.cmd == UCALL_SYNC && uc.args[0] == 41 && uc.args[1] == 1,
			"EL0 call returns its result to EL1 (%lu, back at EL%lu)",
			uc.args[0], uc.args[1]))
		ktap_diag("%s", uc.text);
	vm_free(vm);
}

int main(void)
{
	pmu_vm_require(GUEST_EL1);
	/*
	 * The hang case needs a short run timeout.  Under QEMU with icount the
	 * guest clock advances 1 ns per instruction: a guest second costs many
	 * real ones.
	 */
	setenv("KPF_GUEST_TIMEOUT", "1", 1);
	ktap_start(ARRAY_SIZE(failures) + 1);
	for (unsigned int i = 0; i < ARRAY_SIZE(failures); i++)
		check_failure(&failures[i]);
	check_el0_call();
	ktap_finish();
}
