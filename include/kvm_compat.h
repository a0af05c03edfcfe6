/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM UAPI the suite relies on.  <linux/kvm.h> of the build machine may
 * predate some of it (Debian 12's cross headers are 6.1), so the few newer
 * constants are supplied here; values are fixed by the kernel's ABI.
 */
#ifndef KVM_COMPAT_H
#define KVM_COMPAT_H

#ifdef __aarch64__
#include <linux/kvm.h>
#else
/*
 * Host-side logic (filter model, decoding) is unit-tested on any machine:
 * there, only the arm64 ABI types it uses.
 */
#include <stdint.h>
struct kvm_pmu_event_filter {
	uint16_t base_event;
	uint16_t nevents;
#define KVM_PMU_EVENT_ALLOW	0
#define KVM_PMU_EVENT_DENY	1
	uint8_t action;
	uint8_t pad[3];
};
#endif

#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2		7
#endif
#ifndef KVM_ARM_VCPU_HAS_EL2_E2H0
#define KVM_ARM_VCPU_HAS_EL2_E2H0	8
#endif
#ifndef KVM_ARM_VCPU_PMU_V3_STRICT
#define KVM_ARM_VCPU_PMU_V3_STRICT	9
#endif
#ifndef KVM_CAP_ARM_PMU_V3_STRICT
#define KVM_CAP_ARM_PMU_V3_STRICT	251
#endif
#ifndef KVM_CAP_ARM_EL2
#define KVM_CAP_ARM_EL2			240
#endif
#ifndef KVM_CAP_ARM_EL2_E2H0
#define KVM_CAP_ARM_EL2_E2H0		241
#endif
#ifndef KVM_ARM_VCPU_PMU_V3_SET_PMU
#define KVM_ARM_VCPU_PMU_V3_SET_PMU	3
#endif
#ifndef KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
#define KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS 4
#endif
/* From the out-of-tree "ARM64 PMU Partitioning" series (v8). */
#ifndef KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION
#define KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION 5
#endif

#endif
