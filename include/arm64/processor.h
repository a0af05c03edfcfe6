/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry, exception levels and exceptions.
 *
 * Every vCPU enters guest_start() at the EL its test asked for; guest_start()
 * checks CurrentEL before running the test's guest code.  Every exception
 * goes through one vector table: a handler the guest installed, or a report
 * to the host (ESR, ELR, FAR, vector, step) that fails the case.
 */
#ifndef ARM64_PROCESSOR_H
#define ARM64_PROCESSOR_H

#include <stdint.h>

#include "arm64/sysreg.h"

struct vcpu;

/* Vector table offsets / 0x80 (Arm ARM D1.3.1). */
enum vector {
	VECTOR_SYNC_CUR_SP0, VECTOR_IRQ_CUR_SP0, VECTOR_FIQ_CUR_SP0, VECTOR_ERR_CUR_SP0,
	VECTOR_SYNC_CUR, VECTOR_IRQ_CUR, VECTOR_FIQ_CUR, VECTOR_ERR_CUR,
	VECTOR_SYNC_LOWER, VECTOR_IRQ_LOWER, VECTOR_FIQ_LOWER, VECTOR_ERR_LOWER,
	VECTOR_SYNC_LOWER32, VECTOR_IRQ_LOWER32, VECTOR_FIQ_LOWER32, VECTOR_ERR_LOWER32,
	VECTOR_NR,
};

/* Saved by the vector stub; a handler may change any of it before ERET. */
struct ex_regs {
	uint64_t regs[31];
	uint64_t sp;
	uint64_t pc;		/* ELR_ELx */
	uint64_t pstate;	/* SPSR_ELx */
};

#define ESR_EC_SHIFT		26
#define ESR_EC_MASK		0x3fUL
#define ESR_EC_SVC64		0x15
#define ESR_EC_NR		0x40

typedef void (*exception_handler_t)(struct ex_regs *regs);

/* Guest side. */
static inline unsigned int current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

void guest_install_irq_handler(exception_handler_t handler);
void guest_install_sync_handler(unsigned int ec, exception_handler_t handler);
static inline void local_irq_enable(void)
{
	asm volatile("msr daifclr, #2" : : : "memory");
}
static inline void local_irq_disable(void)
{
	asm volatile("msr daifset, #2" : : : "memory");
}

/*
 * Run fn(arg) at EL0 and return its result.  From EL1, or from virtual EL2
 * with HCR_EL2.{E2H,TGE} set (a non-VHE EL2 has no EL0).
 */
uint64_t guest_call_el0(uint64_t (*fn)(uint64_t), uint64_t arg);
/*
 * From virtual EL2 (E2H=1 or 0): run fn(arg) at EL1 as a nested guest with no
 * stage 2 (HCR_EL2.{TGE,VM} clear while it runs), interrupts masked, and
 * return its result when it returns (it leaves with an HVC).
 */
uint64_t guest_call_el1(uint64_t (*fn)(uint64_t), uint64_t arg);

/* Entry points called from assembly. */
void guest_start(void (*code)(uint64_t), uint64_t arg, uint64_t el);
void guest_exception_entry(struct ex_regs *regs, unsigned int vector);

/* Host side: registers of a vCPU that enters guest_start(code, arg). */
void vcpu_setup_el(struct vcpu *vcpu, void (*code)(uint64_t), uint64_t arg);

#endif
