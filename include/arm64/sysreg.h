/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System registers: accessors for guest code, KVM_{GET,SET}_ONE_REG ids for
 * host code, and the architected bits the suite uses (Arm ARM, D24).
 */
#ifndef ARM64_SYSREG_H
#define ARM64_SYSREG_H

#include <stdint.h>

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

/* Guest side: sysreg names the assembler knows, or s<op0>_<op1>_c<n>_c<m>_<op2>. */
#define read_sysreg(r) ({						\
	uint64_t __v;							\
	asm volatile("mrs %0, " __stringify(r) : "=r"(__v));		\
	__v;								\
})
#define write_sysreg(v, r)						\
	asm volatile("msr " __stringify(r) ", %x0" : : "rZ"((uint64_t)(v)))
#define isb()		asm volatile("isb" : : : "memory")
#define dsb(opt)	asm volatile("dsb " #opt : : : "memory")

/* Host side: ONE_REG id of a system register from its encoding. */
#define SYSREG_ID(op0, op1, crn, crm, op2)				\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG |	\
	 ((uint64_t)(op0) << 14) | ((uint64_t)(op1) << 11) |		\
	 ((uint64_t)(crn) << 7) | ((uint64_t)(crm) << 3) | (op2))

#define CORE_REG_ID(field)						\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |		\
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))

#define ID_SCTLR_EL1		SYSREG_ID(3, 0, 1, 0, 0)
#define ID_CPACR_EL1		SYSREG_ID(3, 0, 1, 0, 2)
#define ID_TTBR0_EL1		SYSREG_ID(3, 0, 2, 0, 0)
#define ID_TCR_EL1		SYSREG_ID(3, 0, 2, 0, 2)
#define ID_MAIR_EL1		SYSREG_ID(3, 0, 10, 2, 0)
#define ID_VBAR_EL1		SYSREG_ID(3, 0, 12, 0, 0)
#define ID_MPIDR_EL1		SYSREG_ID(3, 0, 0, 0, 5)
#define ID_TPIDR_EL1		SYSREG_ID(3, 0, 13, 0, 4)
#define ID_SP_EL2		SYSREG_ID(3, 6, 4, 1, 0)
#define ID_ID_AA64DFR0_EL1	SYSREG_ID(3, 0, 0, 5, 0)
#define ID_ID_AA64PFR0_EL1	SYSREG_ID(3, 0, 0, 4, 0)
#define ID_SCTLR_EL2		SYSREG_ID(3, 4, 1, 0, 0)
#define ID_HCR_EL2		SYSREG_ID(3, 4, 1, 1, 0)
#define ID_MDCR_EL2		SYSREG_ID(3, 4, 1, 1, 1)
#define ID_CPTR_EL2		SYSREG_ID(3, 4, 1, 1, 2)
#define ID_TTBR0_EL2		SYSREG_ID(3, 4, 2, 0, 0)
#define ID_TCR_EL2		SYSREG_ID(3, 4, 2, 0, 2)
#define ID_MAIR_EL2		SYSREG_ID(3, 4, 10, 2, 0)
#define ID_VBAR_EL2		SYSREG_ID(3, 4, 12, 0, 0)
#define ID_PMCR_EL0		SYSREG_ID(3, 3, 9, 12, 0)
#define ID_PMCNTENSET_EL0	SYSREG_ID(3, 3, 9, 12, 1)
#define ID_PMCCNTR_EL0		SYSREG_ID(3, 3, 9, 13, 0)
#define ID_PMOVSCLR_EL0		SYSREG_ID(3, 3, 9, 12, 3)
#define ID_PMOVSSET_EL0		SYSREG_ID(3, 3, 9, 14, 3)
#define ID_PMINTENSET_EL1	SYSREG_ID(3, 0, 9, 14, 1)
#define ID_PMUSERENR_EL0	SYSREG_ID(3, 3, 9, 14, 0)
#define ID_PMCCFILTR_EL0	SYSREG_ID(3, 3, 14, 15, 7)
#define ID_PMEVCNTR_EL0(n)	SYSREG_ID(3, 3, 14, 8 + ((n) >> 3), (n) & 7)
#define ID_PMEVTYPER_EL0(n)	SYSREG_ID(3, 3, 14, 12 + ((n) >> 3), (n) & 7)

/* PSTATE / SPSR */
#define PSR_MODE_EL0t		0x0
#define PSR_MODE_EL1h		0x5
#define PSR_MODE_EL2h		0x9
#define PSR_DAIF_MASK		(0xfUL << 6)
#define PSR_I			(1UL << 7)

/* SCTLR_ELx: M, C, I plus the bits that are RES1 in SCTLR_EL1 of v8.0. */
#define SCTLR_M			(1UL << 0)
#define SCTLR_C			(1UL << 2)
#define SCTLR_I			(1UL << 12)
#define SCTLR_EL1_RES1		((1UL << 11) | (1UL << 20) | (1UL << 22) | \
				 (1UL << 23) | (1UL << 28) | (1UL << 29))
#define SCTLR_EL2_RES1		((1UL << 4) | (1UL << 5) | (1UL << 11) |	\
				 (1UL << 16) | (1UL << 18) | (1UL << 22) |	\
				 (1UL << 23) | (1UL << 28) | (1UL << 29))

#define CPACR_FPEN_NOTRAP	(3UL << 20)
/* CPTR_EL2 with E2H=0: RES1 bits, TFP (10) and TZ (8) clear. */
#define CPTR_EL2_NVHE_NOTRAP	0x32ffUL

/* HCR_EL2 */
#define HCR_VM			(1UL << 0)
#define HCR_RW			(1UL << 31)
#define HCR_TGE			(1UL << 27)
#define HCR_E2H			(1UL << 34)

/* MDCR_EL2: the guest hypervisor's split of the counters (Arm ARM D13.5) */
#define MDCR_EL2_HPMN_MASK	0x1fUL		/* counters [HPMN, N) are EL2's */
#define MDCR_EL2_HPME		(1UL << 7)	/* enables the [HPMN, N) range */
#define MDCR_EL2_HPMD		(1UL << 17)	/* no EL2 counting below HPMN */
#define MDCR_EL2_HCCD		(1UL << 23)	/* no cycle counting at EL2 (PMUv3p5) */

/* PMUSERENR_EL0: what EL0 may access */
#define PMUSERENR_EN		(1UL << 0)	/* everything */
#define PMUSERENR_SW		(1UL << 1)	/* PMSWINC_EL0 writes */
#define PMUSERENR_CR		(1UL << 2)	/* PMCCNTR_EL0 reads */
#define PMUSERENR_ER		(1UL << 3)	/* event counter reads, PMSELR_EL0 */

/* PMCR_EL0 */
#define PMCR_E			(1UL << 0)
#define PMCR_P			(1UL << 1)
#define PMCR_C			(1UL << 2)
#define PMCR_D_DIV64		(1UL << 3)	/* the cycle counter counts every 64th cycle */
#define PMCR_X			(1UL << 4)	/* export events */
#define PMCR_DP			(1UL << 5)	/* no cycle counting where counting is prohibited */
#define PMCR_LC			(1UL << 6)
#define PMCR_LP			(1UL << 7)
#define PMCR_N_SHIFT		11
#define PMCR_N_MASK		0x1fUL

/* PMEVTYPER<n>_EL0 and PMCCFILTR_EL0 filter bits */
#define PMEVTYPER_P		(1UL << 31)	/* exclude EL1 */
#define PMEVTYPER_U		(1UL << 30)	/* exclude EL0 */
#define PMEVTYPER_NSK		(1UL << 29)
#define PMEVTYPER_NSU		(1UL << 28)
#define PMEVTYPER_NSH		(1UL << 27)	/* include EL2 */
#define PMEVTYPER_M		(1UL << 26)	/* EL3 filtering */
#define PMEVTYPER_MT		(1UL << 25)	/* FEAT_MTPMU */
#define PMEVTYPER_SH		(1UL << 24)	/* FEAT_SEL2 */

#define PMU_CYCLE_IDX		31

/* Common architectural events (Arm ARM, D24.5) */
#define PMU_EV_SW_INCR		0x00
#define PMU_EV_INST_RETIRED	0x08
#define PMU_EV_CPU_CYCLES	0x11
#define PMU_EV_CHAIN		0x1e

/* ID_AA64PFR0_EL1: which Exception levels are implemented (non-zero: yes) */
#define PFR0_EL2_SHIFT		8
#define PFR0_EL3_SHIFT		12

/* ID_AA64DFR0_EL1.PMUVer */
#define DFR0_PMUVER_SHIFT	8
#define DFR0_PMUVER_MASK	0xfUL
#define PMUVER_V3		0x1
#define PMUVER_V3P1		0x4
#define PMUVER_V3P5		0x6
#define PMUVER_IMPDEF		0xf

#endif
