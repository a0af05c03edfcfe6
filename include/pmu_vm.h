/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM with a vPMU, set up in the order KVM requires: vCPUs, vGICv3, then
 * per vCPU the PMU overflow IRQ, the VM's event filter, and PMU init.
 */
#ifndef PMU_VM_H
#define PMU_VM_H

#include "kvm_compat.h"
#include "state.h"
#include "vcpu.h"
#include "vm.h"

/*
 * How KVM backs the guest's PMU.  Emulated: every guest counter is a host
 * perf event, which KVM refuses to create for a filtered event.
 * Partitioned (the out-of-tree "ARM64 PMU Partitioning" series): the guest
 * gets hardware counters the host reserved for it, opted into per vCPU with
 * KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION, and KVM must write the filter into
 * the hardware event types itself.
 */
enum pmu_backend {
	PMU_BACKEND_RUN,		/* this run's backend: pmu_backend() */
	PMU_BACKEND_EMULATED,
	PMU_BACKEND_PARTITIONED,
};

/*
 * The backend of this run's VMs, from $KPF_PMU_BACKEND ("emulated", the
 * default, or "partitioned"): the runner runs each property test once per
 * backend.  Exits with an error on any other value.
 */
enum pmu_backend pmu_backend(void);
const char *pmu_backend_name(enum pmu_backend backend);

/*
 * 0 if KVM can give a VM @backend, else -errno of the attempt (set on a
 * throwaway vCPU, since KVM_HAS_DEVICE_ATTR may claim what SET refuses),
 * with a reason in @why.  A kernel that partitions tags the run
 * "partitioned-pmu" for the known-issues table.
 */
int pmu_backend_probe(enum pmu_backend backend, char *why, size_t len);

struct pmu_vm_config {
	unsigned int nr_vcpus;		/* 1 if 0 */
	enum pmu_backend backend;	/* PMU_BACKEND_RUN if 0 */
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
 * *@src's guest moved into a new VM as @cfg says, as a VMM does it: every
 * vCPU's registers, the vGIC and guest memory (vm_state_save()), restored
 * in @order.  The source is freed first (*@src set to NULL): a real
 * migration's source runs on another host, and perf events of a source
 * left on this thread could hold the very counters the destination's
 * need.  The state saved goes to @saved, for the caller to free, or is
 * freed if @saved is NULL.  NULL, with the reason in @why, if the
 * destination refused the state.
 */
struct vm *pmu_vm_migrate(struct vm **src, const struct pmu_vm_config *cfg,
			  enum restore_order order, struct vm_state **saved,
			  char *why, size_t len);

/*
 * KTAP-skips the whole program, with the reason, unless this host can run a
 * vPMU guest at @el on this run's backend: /dev/kvm, KVM_CAP_ARM_PMU_V3, a
 * vGICv3, for EL2 KVM_CAP_ARM_EL2, and pmu_backend_probe().  Tags the run
 * for the known-issues table with the backend's name.
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

/*
 * Whether this platform counts nothing but the events $KPF_PLATFORM_COUNTS
 * lists (it ends in "only", as the QEMU runner says of QEMU's PMU): a
 * counter of any other event must read 0.
 */
bool platform_counts_nothing_else(void);

/*
 * Whether $KPF_PLATFORM_GAPS (the QEMU runner's knowledge of its platform)
 * lists @gap: a part of the architecture this platform doesn't implement,
 * such that a check relying on it would blame KVM for the platform.
 *   hpmn   MDCR_EL2.HPMN not applied to EL1/EL0 accesses of PMCNTEN,
 *          PMINTEN, PMOVS
 *   hpmn-p MDCR_EL2.HPMN not applied to PMCR_EL0.P written at EL1: every
 *          counter is reset
 *   tpmcr  MDCR_EL2.TPMCR doesn't trap PMCR_EL0
 *   chain  no CHAIN event in the hardware PMU
 *   el0-tpm  EL0 accesses that PMUSERENR_EL0.SW/ER/CR allow aren't trapped
 *          by MDCR_EL2.TPM: a guest's EL0 reaches the hardware PMU
 */
bool platform_gap(const char *gap);

/* Whether KVM offers a non-VHE virtual EL2 (KVM_CAP_ARM_EL2_E2H0). */
bool kvm_has_el2_e2h0(void);

#endif
