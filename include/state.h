/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Saving a VM's whole state (every register KVM_GET_REG_LIST names per
 * vCPU: core, system, PMU, timer, firmware, EL2 for nested vCPUs; the
 * vGIC's; guest memory) and restoring it into a new VM: migration, as a VMM
 * does it.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>

#include "guest_ram.h"
#include "vm.h"

struct vcpu;
struct vgic_state;

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

/*
 * A whole VM, as a VMM migrates it: every vCPU's registers, the vGIC's
 * (pending interrupts included) and guest RAM.  Saved with no vCPU running;
 * restored into a VM built the same way (same vCPUs, features, vGIC),
 * whose filter may differ.  On a refusal vm_state_restore() gives -errno
 * and says which register in @why.  After a restore the VM's RAM is the
 * saved VM's, byte for byte (guest_ram.h).
 */
struct vm_state {
	unsigned int nr_vcpus;
	struct vcpu_state *vcpus[VM_MAX_VCPUS];
	struct vgic_state *vgic;	/* NULL without a vGIC */
	struct ram_image ram;		/* its pages that are not all zero */
	uint64_t ram_gpa;
};

struct vm_state *vm_state_save(struct vm *vm);
int vm_state_restore(struct vm *vm, const struct vm_state *s, enum restore_order order,
		     char *why, size_t len);
void vm_state_free(struct vm_state *s);

#endif
