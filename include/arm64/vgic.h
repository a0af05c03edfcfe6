/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vGICv3: created by the host after all vCPUs (KVM sizes the redistributors
 * from them); the guest side enables one PPI, such as the PMU's.
 */
#ifndef ARM64_VGIC_H
#define ARM64_VGIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define PMU_IRQ_PPI		23	/* the architected PMU overflow PPI */
#define GIC_SPURIOUS		1023

/*
 * Host side: create the device and place it (-errno where the host has no
 * GICv3 to emulate), then initialise it; vgic_v3_setup() does both.  The
 * __ forms return 0 or -errno, the others assert.
 */
int __vgic_v3_create(struct vm *vm);
void vgic_v3_create(struct vm *vm);
void vgic_v3_init(struct vm *vm);
int __vgic_v3_setup(struct vm *vm);
void vgic_v3_setup(struct vm *vm);

/*
 * Host side, migration: every distributor, redistributor, line-level and
 * CPU-interface register of the VM's interrupts, saved with no vCPU
 * running and restored, after the vCPUs' MPIDRs, into a VM with the same
 * vCPUs and vGIC layout.  vgic_state_restore() gives -errno and the
 * register KVM refused.
 */
struct vgic_state;
struct vgic_state *vgic_state_save(struct vm *vm);
int vgic_state_restore(struct vm *vm, const struct vgic_state *s, uint32_t *bad_group,
		       uint64_t *bad_attr);
/* How many registers differ (or a layout mismatch); the first in *first_attr. */
unsigned int vgic_state_diff(const struct vgic_state *a, const struct vgic_state *b,
			     uint64_t *first_attr);
unsigned int vgic_state_nr_regs(const struct vgic_state *s);
void vgic_state_free(struct vgic_state *s);
/* The input level of @intid (a PPI: vCPU number @vcpu's) as the vGIC holds it. */
bool vgic_line_level(struct vm *vm, unsigned int vcpu, unsigned int intid);

/* Guest side, for the calling vCPU. */
void gic_init_cpu(void);
void gic_enable_ppi(unsigned int intid);
uint32_t gic_ack(void);
/* GICR_ISPENDR0 as the guest reads it: latch or line level. */
uint32_t gic_pending_ppis(void);
void gic_eoi(uint32_t intid);

#endif
