/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vGICv3: created by the host after all vCPUs (KVM sizes the redistributors
 * from them); the guest side enables one PPI, such as the PMU's.
 */
#ifndef ARM64_VGIC_H
#define ARM64_VGIC_H

#include <stdint.h>

struct vm;

#define PMU_IRQ_PPI		23	/* the architected PMU overflow PPI */
#define GIC_SPURIOUS		1023

/*
 * Host side: create the device and place it (-errno where the host has no
 * GICv3 to emulate), then initialise it; vgic_v3_setup() does both.
 */
int vgic_v3_create(struct vm *vm);
void vgic_v3_init(struct vm *vm);
int vgic_v3_setup(struct vm *vm);

/* Guest side, for the calling vCPU. */
void gic_init_cpu(void);
void gic_enable_ppi(unsigned int intid);
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);

#endif
