/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMUv3: guest-side programming (Arm ARM D24, "The Performance Monitors
 * Extension") and host-side vPMU attributes (KVM API, devices/vcpu.rst,
 * group KVM_ARM_VCPU_PMU_V3_CTRL).
 */
#ifndef ARM64_PMU_H
#define ARM64_PMU_H

#include <stdbool.h>
#include <stdint.h>

#include "arm64/sysreg.h"
#include "kvm_compat.h"

/* ---- guest side ---- */

/* Counter index @idx: 0..30 are event counters, PMU_CYCLE_IDX the cycle counter. */
void pmu_write_evtyper(unsigned int idx, uint64_t val);	/* PMEVTYPER<n> / PMCCFILTR */
uint64_t pmu_read_evtyper(unsigned int idx);
void pmu_write_counter(unsigned int idx, uint64_t val);	/* PMEVCNTR<n> / PMCCNTR */
uint64_t pmu_read_counter(unsigned int idx);
/* The same through PMSELR_EL0 + PMXEVTYPER_EL0 / PMXEVCNTR_EL0. */
void pmu_write_evtyper_indirect(unsigned int idx, uint64_t val);
uint64_t pmu_read_counter_indirect(unsigned int idx);

/*
 * The PMU overflow interrupt (PPI 23) through the vGICv3: after
 * guest_pmu_irq_setup() (IRQs still masked), each interrupt taken adds one
 * to pmu_irqs_taken, ORs PMOVSSET_EL0 into pmu_irq_overflows and clears
 * those flags, as a guest's PMU driver does.  A flag the clear leaves set
 * (an interrupt that would be taken forever) fails the guest at once.
 */
extern volatile uint64_t pmu_irqs_taken, pmu_irq_overflows;
void guest_pmu_irq_setup(void);

static inline unsigned int pmu_nr_counters(void)
{
	return (read_sysreg(pmcr_el0) >> PMCR_N_SHIFT) & PMCR_N_MASK;
}

static inline void pmu_enable_counters(uint64_t mask)
{
	write_sysreg(mask, pmcntenset_el0);
	isb();
}

static inline void pmu_disable_counters(uint64_t mask)
{
	write_sysreg(mask, pmcntenclr_el0);
	isb();
}

static inline void pmu_sw_increment(uint64_t mask)
{
	write_sysreg(mask, pmswinc_el0);
	isb();
}

/* PMCR_EL0.E on/off, keeping the 64-bit cycle counter (LC). */
static inline void pmu_start(void)
{
	write_sysreg(read_sysreg(pmcr_el0) | PMCR_E | PMCR_LC, pmcr_el0);
	isb();
}

static inline void pmu_stop(void)
{
	write_sysreg(read_sysreg(pmcr_el0) & ~PMCR_E, pmcr_el0);
	isb();
}

/* PMCEID0_EL0 (n = 0) or PMCEID1_EL0 (n = 1). */
static inline uint64_t pmu_pmceid(unsigned int n)
{
	return n ? read_sysreg(pmceid1_el0) : read_sysreg(pmceid0_el0);
}

/* Whether PMCEID<n> advertises common event @event (0..0x3f, 0x4000..0x403f). */
bool pmu_event_advertised(unsigned int event);

/* Stop and disable everything, clear overflows, zero every counter. */
void pmu_reset(void);

/* A loop of @iters iterations of two instructions: the measured workload. */
static inline void pmu_workload(uint64_t iters)
{
	asm volatile("1:	subs	%0, %0, #1\n"
		     "	b.ne	1b\n"
		     : "+r"(iters) : : "cc");
}

/* How much counter @idx advances over pmu_workload(@iters), as it is set up now. */
uint64_t pmu_workload_delta(unsigned int idx, uint64_t iters);

/* ---- host side ---- */

struct vcpu;

#define PMU_EVENT_ALLOW		KVM_PMU_EVENT_ALLOW
#define PMU_EVENT_DENY		KVM_PMU_EVENT_DENY

/* Each returns 0 or -errno, as KVM_SET_DEVICE_ATTR did. */
int __vcpu_pmu_set_irq(struct vcpu *vcpu, int irq);
int __vcpu_pmu_set_filter(struct vcpu *vcpu, const struct kvm_pmu_event_filter *f);
int __vcpu_pmu_init(struct vcpu *vcpu);
/*
 * The event space KVM accepts filter ranges in: 1024 events for PMUv3p0,
 * 65536 from PMUv3p1 (read from the vCPU's ID_AA64DFR0_EL1.PMUVer).
 */
unsigned int vcpu_pmu_event_space(struct vcpu *vcpu);
/* The vCPU's ID_AA64DFR0_EL1.PMUVer. */
unsigned int vcpu_pmuver(struct vcpu *vcpu);
/*
 * Whether event counters are 64 bits wide (PMUv3p5): with PMCR_EL0.LP=0
 * they still overflow at 32 bits, but keep counting in the upper half.
 */
bool vcpu_pmu_has_64bit_counters(struct vcpu *vcpu);
int __vcpu_pmu_set_pmu(struct vcpu *vcpu, int pmu_type);
int __vcpu_pmu_set_nr_counters(struct vcpu *vcpu, unsigned int n);
/* KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION (the partitioned-PMU series). */
int __vcpu_pmu_set_partition(struct vcpu *vcpu, bool on);
/* The same, asserting that KVM accepted them. */
void vcpu_pmu_set_irq(struct vcpu *vcpu, int irq);
void vcpu_pmu_set_filter(struct vcpu *vcpu, const struct kvm_pmu_event_filter *f);
void vcpu_pmu_init(struct vcpu *vcpu);
void vcpu_pmu_set_partition(struct vcpu *vcpu, bool on);
/* The perf type of the host's first CPU PMU (for SET_PMU), or -1. */
int host_cpu_pmu_type(void);

#endif
