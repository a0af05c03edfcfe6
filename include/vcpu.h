/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU, created with its features and its starting exception level stated
 * by the test: nothing is inferred from KVM's preferred target, which on a
 * nested host may silently start a guest at virtual EL2.
 */
#ifndef VCPU_H
#define VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_compat.h"

struct vm;

enum guest_el {
	GUEST_EL1 = 1,
	GUEST_EL2 = 2,		/* virtual EL2: KVM_ARM_VCPU_HAS_EL2 */
};

struct vcpu_config {
	enum guest_el el;
	bool pmu;		/* KVM_ARM_VCPU_PMU_V3 */
	bool pmu_strict;	/* KVM_ARM_VCPU_PMU_V3_STRICT: no default host PMU */
	bool e2h0;		/* at EL2: KVM_ARM_VCPU_HAS_EL2_E2H0, a non-VHE EL2 */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	long run_size;
	enum guest_el el;
	bool e2h0;
	uint64_t stack_top;	/* SP at entry, EL1 or EL2 */
	uint64_t el0_stack_top;	/* for guest_call_el0() */
	uint64_t el1_stack_top;	/* for guest_call_el1() from EL2 */
};

typedef void (*guest_code_t)(uint64_t arg);

/* Adds vCPU number vm->nr_vcpus, which enters guest_start(code, arg). */
struct vcpu *vm_vcpu_add(struct vm *vm, const struct vcpu_config *cfg,
			 guest_code_t code, uint64_t arg);
void vcpu_free(struct vcpu *vcpu);

int __vcpu_ioctl(struct vcpu *vcpu, unsigned long cmd, void *arg);
uint64_t vcpu_get_reg(struct vcpu *vcpu, uint64_t id);
void vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val);
int __vcpu_get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val);
int __vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val);

int __vcpu_has_attr(struct vcpu *vcpu, uint32_t group, uint64_t attr);
int __vcpu_set_attr(struct vcpu *vcpu, uint32_t group, uint64_t attr,
		    const void *addr);

/* One KVM_RUN; -errno on failure (-EINTR when kicked). */
int __vcpu_run(struct vcpu *vcpu);

#endif
