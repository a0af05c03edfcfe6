// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "arm64/mmu.h"
#include "arm64/processor.h"
#include "test_util.h"
#include "ucall.h"
#include "vcpu.h"
#include "vm.h"

extern char guest_vectors[];
extern char guest_lower_return_point[], guest_el0_exit[], guest_el1_exit[];
uint64_t __guest_call_lower(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp,
			    uint64_t spsr, void *exit);

#define EL0_EXIT_SVC	0xe0
#define EL1_EXIT_HVC	0xe1
#define ESR_EC_HVC64	0x16

/* EL1&0 translation registers, reached from VHE EL2 by their _EL12 names. */
#define SCTLR_EL12	S3_5_C1_C0_0
#define CPACR_EL12	S3_5_C1_C0_2
#define TTBR0_EL12	S3_5_C2_C0_0
#define TCR_EL12	S3_5_C2_C0_2
#define MAIR_EL12	S3_5_C10_C2_0
#define VBAR_EL12	S3_5_C12_C0_0

/* Tops of each vCPU's stacks for code it runs at lower ELs, set by the host. */
static uint64_t guest_el0_stacks[VM_MAX_VCPUS];
static uint64_t guest_el1_stacks[VM_MAX_VCPUS];

/* ---- guest side ---- */

static exception_handler_t irq_handler;
static exception_handler_t sync_handlers[ESR_EC_NR];

void guest_install_irq_handler(exception_handler_t handler)
{
	irq_handler = handler;
}

void guest_install_sync_handler(unsigned int ec, exception_handler_t handler)
{
	sync_handlers[ec & ESR_EC_MASK] = handler;
}

static uint64_t read_esr(void)
{
	return current_el() == 2 ? read_sysreg(esr_el2) : read_sysreg(esr_el1);
}

static uint64_t read_far(void)
{
	return current_el() == 2 ? read_sysreg(far_el2) : read_sysreg(far_el1);
}

uint64_t guest_call_el0(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	if (current_el() == 2 && !(read_sysreg(hcr_el2) & HCR_E2H))
		guest_fail(UCALL_ASSERT, "guest_call_el0() from a non-VHE EL2, which has no EL0");
	return __guest_call_lower(fn, arg, guest_el0_stacks[guest_vcpu_id()],
				  PSR_MODE_EL0t, guest_el0_exit);
}

/*
 * The nested guest's EL1&0 regime shares the guest hypervisor's tables and
 * vectors; HCR_EL2.TGE is clear only while it runs.  A VHE EL2 reaches
 * EL1's registers by their _EL12 names, a non-VHE one by their own.
 */
uint64_t guest_call_el1(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	uint64_t hcr = read_sysreg(hcr_el2), ret;

	if (current_el() != 2)
		guest_fail(UCALL_ASSERT, "guest_call_el1() from EL%u, not EL2", current_el());
	if (hcr & HCR_E2H) {
		write_sysreg(MAIR_VALUE, MAIR_EL12);
		write_sysreg(TCR_VALUE, TCR_EL12);
		write_sysreg(read_sysreg(ttbr0_el2), TTBR0_EL12);
		write_sysreg((uint64_t)guest_vectors, VBAR_EL12);
		write_sysreg(CPACR_FPEN_NOTRAP, CPACR_EL12);
		write_sysreg(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I, SCTLR_EL12);
	} else {
		/* Without E2H the _EL1 names are EL1's own. */
		write_sysreg(MAIR_VALUE, mair_el1);
		write_sysreg(TCR_VALUE, tcr_el1);
		write_sysreg(read_sysreg(ttbr0_el2), ttbr0_el1);
		write_sysreg((uint64_t)guest_vectors, vbar_el1);
		write_sysreg(CPACR_FPEN_NOTRAP, cpacr_el1);
		write_sysreg(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el1);
	}
	write_sysreg((hcr | HCR_RW) & ~(HCR_TGE | HCR_VM), hcr_el2);
	isb();
	ret = __guest_call_lower(fn, arg, guest_el1_stacks[guest_vcpu_id()],
				 PSR_MODE_EL1h | PSR_DAIF_MASK, guest_el1_exit);
	write_sysreg(hcr, hcr_el2);
	isb();
	return ret;
}

/*
 * fn() returned at the lower EL into guest_el0_exit's SVC or
 * guest_el1_exit's HVC: resume __guest_call_lower()'s caller.  Its frame
 * sits where the exception found the stack: the saved DAIF at [sp, #96],
 * the caller's CurrentEL at [sp, #104].
 */
static bool guest_lower_return(struct ex_regs *regs, unsigned int vector,
			       uint64_t esr)
{
	const uint64_t *frame = (const uint64_t *)regs->sp;
	unsigned int ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	if (vector != VECTOR_SYNC_LOWER ||
	    !((ec == ESR_EC_SVC64 && (esr & 0xffff) == EL0_EXIT_SVC) ||
	      (ec == ESR_EC_HVC64 && (esr & 0xffff) == EL1_EXIT_HVC)))
		return false;
	regs->pc = (uint64_t)guest_lower_return_point;
	regs->pstate = frame[12] |
		       (((frame[13] >> 2) & 3) == 2 ? PSR_MODE_EL2h : PSR_MODE_EL1h);
	return true;
}

/* Called by the vector stubs in vectors.S. */
void guest_exception_entry(struct ex_regs *regs, unsigned int vector)
{
	uint64_t esr = read_esr();

	if (guest_lower_return(regs, vector, esr))
		return;

	switch (vector) {
	case VECTOR_IRQ_CUR:
	case VECTOR_IRQ_LOWER:
		if (irq_handler) {
			irq_handler(regs);
			return;
		}
		break;
	case VECTOR_SYNC_CUR:
	case VECTOR_SYNC_LOWER: {
		exception_handler_t h = sync_handlers[(esr >> ESR_EC_SHIFT) & ESR_EC_MASK];

		if (h) {
			h(regs);
			return;
		}
		break;
	}
	}
	for (;;)
		ucall(UCALL_EXCEPTION, 6, (uint64_t)vector, esr, regs->pc,
		      read_far(), (uint64_t)current_el(), regs->pstate);
}

/* The first guest code of every vCPU: prove the EL, then run the test's code. */
void guest_start(void (*code)(uint64_t), uint64_t arg, uint64_t el)
{
	if (current_el() != el)
		guest_fail(UCALL_ASSERT,
			   "vCPU started at EL%u, but the test created it for EL%lu",
			   current_el(), el);
	code(arg);
	guest_done();
}

/* ---- host side ---- */

static void setup_el1(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t sctlr = vcpu_get_reg(vcpu, ID_SCTLR_EL1);

	vcpu_set_reg(vcpu, ID_MAIR_EL1, MAIR_VALUE);
	vcpu_set_reg(vcpu, ID_TCR_EL1, TCR_VALUE);
	vcpu_set_reg(vcpu, ID_TTBR0_EL1, vm->pgd);
	vcpu_set_reg(vcpu, ID_VBAR_EL1, (uint64_t)guest_vectors);
	/* Compiled guest code may use FP/SIMD registers (va_list, memcpy). */
	vcpu_set_reg(vcpu, ID_CPACR_EL1, CPACR_FPEN_NOTRAP);
	vcpu_set_reg(vcpu, ID_SCTLR_EL1, sctlr | SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	vcpu_set_reg(vcpu, CORE_REG_ID(sp_el1), vcpu->stack_top);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.pstate), PSR_MODE_EL1h | PSR_DAIF_MASK);
}

/*
 * Virtual EL2 with E2H=1 (VHE): the EL2&0 regime uses the same descriptors
 * and TCR layout as EL1&0, and TGE routes EL0 exceptions to EL2.  With
 * E2H=0 (non-VHE) EL2 has its own single-range regime and no EL0 of its own.
 */
static void setup_el2(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t sctlr = vcpu_get_reg(vcpu, ID_SCTLR_EL2);

	vcpu_set_reg(vcpu, ID_MAIR_EL2, MAIR_VALUE);
	vcpu_set_reg(vcpu, ID_TTBR0_EL2, vm->pgd);
	vcpu_set_reg(vcpu, ID_VBAR_EL2, (uint64_t)guest_vectors);
	if (vcpu->e2h0) {
		vcpu_set_reg(vcpu, ID_HCR_EL2, HCR_RW);
		vcpu_set_reg(vcpu, ID_TCR_EL2, TCR_EL2_NVHE_VALUE);
		vcpu_set_reg(vcpu, ID_CPTR_EL2, CPTR_EL2_NVHE_NOTRAP);
		vcpu_set_reg(vcpu, ID_SCTLR_EL2, sctlr | SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	} else {
		vcpu_set_reg(vcpu, ID_HCR_EL2, HCR_RW | HCR_TGE | HCR_E2H);
		vcpu_set_reg(vcpu, ID_TCR_EL2, TCR_VALUE);
		/* With E2H=1, CPTR_EL2 has the CPACR_EL1 layout. */
		vcpu_set_reg(vcpu, ID_CPTR_EL2, CPACR_FPEN_NOTRAP);
		vcpu_set_reg(vcpu, ID_SCTLR_EL2, sctlr | SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	}
	vcpu_set_reg(vcpu, ID_SP_EL2, vcpu->stack_top);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.pstate), PSR_MODE_EL2h | PSR_DAIF_MASK);
}

void vcpu_setup_el(struct vcpu *vcpu, void (*code)(uint64_t), uint64_t arg)
{
	if (vcpu->el == GUEST_EL2)
		setup_el2(vcpu);
	else
		setup_el1(vcpu);
	vcpu_set_reg(vcpu, ID_TPIDR_EL1, vcpu->id);
	guest_el0_stacks[vcpu->id] = vcpu->el0_stack_top;
	sync_global_to_guest(vcpu->vm, guest_el0_stacks[vcpu->id]);
	guest_el1_stacks[vcpu->id] = vcpu->el1_stack_top;
	sync_global_to_guest(vcpu->vm, guest_el1_stacks[vcpu->id]);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.pc), (uint64_t)guest_start);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.regs[0]), (uint64_t)code);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.regs[1]), arg);
	vcpu_set_reg(vcpu, CORE_REG_ID(regs.regs[2]), vcpu->el);
}
