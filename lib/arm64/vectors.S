/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's one vector table, for EL1 and virtual EL2 alike: every entry
 * saves a struct ex_regs and calls guest_exception_entry(regs, vector).
 * Registers are read from the EL the exception was taken to, so the same
 * table serves VBAR_EL1 and VBAR_EL2.
 */

#define EX_REGS_SIZE	(34 * 8)	/* struct ex_regs */
#define EX_SP		(31 * 8)
#define EX_PC		(32 * 8)
#define EX_PSTATE	(33 * 8)

.macro ventry vector
	.align 7
	sub	sp, sp, #EX_REGS_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\vector
	b	vector_common
.endm

	.text
	.align 11
	.global guest_vectors
guest_vectors:
	.irp v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ventry \v
	.endr

vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	add	x2, sp, #EX_REGS_SIZE
	str	x2, [sp, #EX_SP]
	mrs	x2, CurrentEL
	cmp	x2, #(2 << 2)
	b.eq	1f
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	b	2f
1:	mrs	x2, elr_el2
	mrs	x3, spsr_el2
2:	stp	x2, x3, [sp, #EX_PC]

	mov	x0, sp
	bl	guest_exception_entry

	ldp	x2, x3, [sp, #EX_PC]
	mrs	x4, CurrentEL
	cmp	x4, #(2 << 2)
	b.eq	3f
	msr	elr_el1, x2
	msr	spsr_el1, x3
	b	4f
3:	msr	elr_el2, x2
	msr	spsr_el2, x3
4:	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #EX_REGS_SIZE
	eret

/*
 * uint64_t __guest_call_lower(uint64_t (*fn)(uint64_t), uint64_t arg,
 *			       uint64_t sp, uint64_t spsr, void *exit)
 *
 * Saves the callee-saved registers, DAIF and CurrentEL on this EL's stack,
 * then ERETs to fn(arg) at the EL @spsr names (EL0, or EL1 from EL2) on
 * stack @sp, with LR at @exit (guest_el0_exit or guest_el1_exit).  The
 * exit's SVC or HVC lands in guest_lower_return() (processor.c) with the
 * exception frame right below this frame, and it rewrites that frame to
 * return to guest_lower_return_point.
 */
#define CALL_FRAME_SIZE	112
	.global __guest_call_lower
__guest_call_lower:
	stp	x29, x30, [sp, #-CALL_FRAME_SIZE]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x5, daif
	str	x5, [sp, #96]
	mrs	x5, CurrentEL
	str	x5, [sp, #104]

	tst	x3, #0xc		/* SPSR.M[3:2]: the target EL */
	b.ne	1f
	msr	sp_el0, x2
	b	2f
1:	msr	sp_el1, x2
2:	cmp	x5, #(2 << 2)
	b.eq	3f
	msr	elr_el1, x0
	msr	spsr_el1, x3
	b	4f
3:	msr	elr_el2, x0
	msr	spsr_el2, x3
4:	mov	x0, x1
	mov	x30, x4
	isb
	eret

	.global guest_lower_return_point
guest_lower_return_point:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #CALL_FRAME_SIZE
	ret

	.global guest_el0_exit
guest_el0_exit:
	svc	#0xe0
	b	guest_el0_exit

	.global guest_el1_exit
guest_el1_exit:
	hvc	#0xe1
	b	guest_el1_exit
