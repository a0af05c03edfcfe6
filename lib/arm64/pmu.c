// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <unistd.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "arm64/vgic.h"
#include "test_util.h"
#include "ucall.h"
#include "vcpu.h"

/* ---- guest side ---- */

volatile uint64_t pmu_irqs_taken, pmu_irq_overflows;

static void pmu_irq(struct ex_regs *regs)
{
	uint32_t intid = gic_ack();

	if (intid == PMU_IRQ_PPI) {
		uint64_t ovs = read_sysreg(pmovsset_el0), left;

		pmu_irqs_taken++;
		pmu_irq_overflows |= ovs;
		write_sysreg(ovs, pmovsclr_el0);
		isb();
		/*
		 * A flag the write did not clear keeps the interrupt asserted:
		 * the guest would take it forever and its test die of a timeout
		 * with nothing said.  No counter wraps again this soon (each
		 * just wrapped to near zero), so say it now.
		 */
		left = read_sysreg(pmovsset_el0) & ovs;
		if (left)
			guest_fail(UCALL_ASSERT,
				   "PMU interrupt: PMOVSCLR_EL0 := %#lx left PMOVSSET_EL0 %#lx set, the interrupt stays asserted",
				   ovs, left);
	}
	if (intid != GIC_SPURIOUS)
		gic_eoi(intid);
}

void guest_pmu_irq_setup(void)
{
	pmu_irqs_taken = 0;
	pmu_irq_overflows = 0;
	gic_init_cpu();
	gic_enable_ppi(PMU_IRQ_PPI);
	guest_install_irq_handler(pmu_irq);
}

/* PMEVTYPER<n>_EL0 and PMEVCNTR<n>_EL0 take n in the encoding: one case each. */
#define PMEV_CASES(op)							\
	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9)	\
	op(10) op(11) op(12) op(13) op(14) op(15) op(16) op(17) op(18)	\
	op(19) op(20) op(21) op(22) op(23) op(24) op(25) op(26) op(27)	\
	op(28) op(29) op(30)

static noreturn void bad_counter(unsigned int idx)
{
	guest_fail(UCALL_ASSERT, "no PMU counter index %u", idx);
}

void pmu_write_evtyper(unsigned int idx, uint64_t val)
{
#define W(n) case n: write_sysreg(val, pmevtyper##n##_el0); break;
	switch (idx) {
	PMEV_CASES(W)
	case PMU_CYCLE_IDX:
		write_sysreg(val, pmccfiltr_el0);
		break;
	default:
		bad_counter(idx);
	}
#undef W
	isb();
}

uint64_t pmu_read_evtyper(unsigned int idx)
{
#define R(n) case n: return read_sysreg(pmevtyper##n##_el0);
	switch (idx) {
	PMEV_CASES(R)
	case PMU_CYCLE_IDX:
		return read_sysreg(pmccfiltr_el0);
	}
#undef R
	bad_counter(idx);
}

void pmu_write_counter(unsigned int idx, uint64_t val)
{
#define W(n) case n: write_sysreg(val, pmevcntr##n##_el0); break;
	switch (idx) {
	PMEV_CASES(W)
	case PMU_CYCLE_IDX:
		write_sysreg(val, pmccntr_el0);
		break;
	default:
		bad_counter(idx);
	}
#undef W
	isb();
}

uint64_t pmu_read_counter(unsigned int idx)
{
#define R(n) case n: return read_sysreg(pmevcntr##n##_el0);
	switch (idx) {
	PMEV_CASES(R)
	case PMU_CYCLE_IDX:
		return read_sysreg(pmccntr_el0);
	}
#undef R
	bad_counter(idx);
}

void pmu_write_evtyper_indirect(unsigned int idx, uint64_t val)
{
	write_sysreg(idx, pmselr_el0);
	isb();
	write_sysreg(val, pmxevtyper_el0);
	isb();
}

uint64_t pmu_read_counter_indirect(unsigned int idx)
{
	write_sysreg(idx, pmselr_el0);
	isb();
	return read_sysreg(pmxevcntr_el0);
}

bool pmu_event_advertised(unsigned int event)
{
	unsigned int bit = event & 0x3f;
	unsigned int half = (event & 0x4000) ? 32 : 0;

	if ((event & ~0x4000U) >= 0x40)
		return false;
	return (pmu_pmceid(bit >= 32) >> (half + bit % 32)) & 1;
}

void pmu_reset(void)
{
	write_sysreg(0, pmcr_el0);
	isb();
	write_sysreg(~0UL, pmcntenclr_el0);
	write_sysreg(~0UL, pmintenclr_el1);
	write_sysreg(~0UL, pmovsclr_el0);
	write_sysreg(PMCR_P | PMCR_C | PMCR_LC, pmcr_el0);
	isb();
}

uint64_t pmu_workload_delta(unsigned int idx, uint64_t iters)
{
	uint64_t before = pmu_read_counter(idx);

	pmu_workload(iters);
	isb();
	return pmu_read_counter(idx) - before;
}

/* ---- host side ---- */

int __vcpu_pmu_set_irq(struct vcpu *vcpu, int irq)
{
	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_IRQ, &irq);
}

int __vcpu_pmu_set_filter(struct vcpu *vcpu, const struct kvm_pmu_event_filter *f)
{
	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_FILTER, f);
}

int __vcpu_pmu_init(struct vcpu *vcpu)
{
	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_INIT, NULL);
}

unsigned int vcpu_pmuver(struct vcpu *vcpu)
{
	return (vcpu_get_reg(vcpu, ID_ID_AA64DFR0_EL1) >> DFR0_PMUVER_SHIFT) & DFR0_PMUVER_MASK;
}

unsigned int vcpu_pmu_event_space(struct vcpu *vcpu)
{
	return vcpu_pmuver(vcpu) == PMUVER_V3 ? 1024 : 65536;
}

bool vcpu_pmu_has_64bit_counters(struct vcpu *vcpu)
{
	unsigned int pmuver = vcpu_pmuver(vcpu);

	return pmuver >= PMUVER_V3P5 && pmuver != PMUVER_IMPDEF;
}

int __vcpu_pmu_set_pmu(struct vcpu *vcpu, int pmu_type)
{
	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_SET_PMU, &pmu_type);
}

int __vcpu_pmu_set_nr_counters(struct vcpu *vcpu, unsigned int n)
{
	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS, &n);
}

int __vcpu_pmu_set_partition(struct vcpu *vcpu, bool on)
{
	uint32_t val = on;

	return __vcpu_set_attr(vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION, &val);
}

int host_cpu_pmu_type(void)
{
	const char *dir = "/sys/bus/event_source/devices";
	DIR *d = opendir(dir);
	struct dirent *e;
	int type = -1;

	if (!d)
		return -1;
	/* CPU PMUs are the event sources with a "cpus" attribute. */
	while (type < 0 && (e = readdir(d))) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/cpus", dir, e->d_name);
		if (e->d_name[0] == '.' || access(path, R_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		f = fopen(path, "r");
		if (f && fscanf(f, "%d", &type) != 1)
			type = -1;
		if (f)
			fclose(f);
	}
	closedir(d);
	return type;
}

void vcpu_pmu_set_irq(struct vcpu *vcpu, int irq)
{
	TEST_ASSERT_OK(__vcpu_pmu_set_irq(vcpu, irq), "KVM_ARM_VCPU_PMU_V3_IRQ %d on vCPU %u",
		       irq, vcpu->id);
}

void vcpu_pmu_set_filter(struct vcpu *vcpu, const struct kvm_pmu_event_filter *f)
{
	TEST_ASSERT_OK(__vcpu_pmu_set_filter(vcpu, f),
		       "KVM_ARM_VCPU_PMU_V3_FILTER %#x+%u %s through vCPU %u", f->base_event,
		       f->nevents, f->action == KVM_PMU_EVENT_ALLOW ? "ALLOW" : "DENY", vcpu->id);
}

void vcpu_pmu_init(struct vcpu *vcpu)
{
	TEST_ASSERT_OK(__vcpu_pmu_init(vcpu), "KVM_ARM_VCPU_PMU_V3_INIT on vCPU %u", vcpu->id);
}

void vcpu_pmu_set_partition(struct vcpu *vcpu, bool on)
{
	TEST_ASSERT_OK(__vcpu_pmu_set_partition(vcpu, on),
		       "KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION := %d on vCPU %u", on, vcpu->id);
}
