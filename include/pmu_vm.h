/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM with a vPMU, set up in the order KVM requires: vCPUs, vGICv3, then
 * per vCPU the PMU overflow IRQ, the VM's event filter, and PMU init.
 */
#ifndef PMU_VM_H
#define PMU_VM_H

#include "kvm_compat.h"
#include "vcpu.h"
#include "vm.h"

struct pmu_vm_config {
	unsigned int nr_vcpus;		/* 1 if 0 */
	enum guest_el el;
	bool e2h0;			/* at EL2: non-VHE */
	const struct kvm_pmu_event_filter *filters;
	unsigned int nr_filters;
	guest_code_t code;
	uint64_t arg;
};

/* Asserts every step succeeds: tests of the failures use the __ calls. */
struct vm *pmu_vm_create(const struct pmu_vm_config *cfg);

/*
 * KTAP-skips the whole program, with the reason, unless this host can run a
 * vPMU guest at @el: /dev/kvm, KVM_CAP_ARM_PMU_V3, a vGICv3, and for EL2
 * KVM_CAP_ARM_EL2.
 */
void pmu_vm_require(enum guest_el el);
/*
 * Whether this platform counts @event at all where a guest at @el runs: an
 * unfiltered VM, event counter 0 programmed once before it is enabled, one
 * loop.  This is what decides that a check SKIPs as "the platform can't
 * count it", from the least of KVM's machinery, so that a KVM bug in what a
 * test exercises can't pass for a platform limit.  Cached per event and EL.
 * SW_INCR, which KVM emulates, always counts, and so does every event
 * $KPF_PLATFORM_COUNTS lists (the QEMU runner's knowledge of its platform):
 * there a probe that counts nothing is a KVM bug, and the checks must run.
 */
bool platform_counts(unsigned int event, enum guest_el el);

/* Whether KVM offers a non-VHE virtual EL2 (KVM_CAP_ARM_EL2_E2H0). */
bool kvm_has_el2_e2h0(void);

#endif
