/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Saving a vCPU's whole register state (every register KVM_GET_REG_LIST
 * names: core, system, PMU, timer, firmware, EL2 for nested vCPUs) and
 * guest memory, and restoring them into a new VM: migration, as a VMM does
 * it.
 */
#ifndef STATE_H
#define STATE_H

#include <stdint.h>

struct vcpu;
struct vm;

struct saved_reg {
	uint64_t id;
	uint8_t val[256];	/* up to KVM_REG_SIZE_U2048 */
};

struct vcpu_state {
	unsigned int nr;
	struct saved_reg *regs;
};

enum restore_order {
	RESTORE_LISTED,		/* as KVM_GET_REG_LIST lists them */
	RESTORE_REVERSED,	/* the other way round */
};

struct vcpu_state *vcpu_state_save(struct vcpu *vcpu);
/* 0, or -errno with *bad set to the register KVM refused. */
int vcpu_state_restore(struct vcpu *vcpu, const struct vcpu_state *s,
		       enum restore_order order, uint64_t *bad);
void vcpu_state_free(struct vcpu_state *s);
/* The saved value of register @id (0 if it wasn't saved). */
uint64_t vcpu_state_reg(const struct vcpu_state *s, uint64_t id);

/* Guest RAM, byte for byte, from @src into @dst (same layout). */
void vm_copy_memory(struct vm *dst, const struct vm *src);

#endif
