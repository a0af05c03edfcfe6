// SPDX-License-Identifier: GPL-2.0
#include "arm64/sysreg.h"
#include "pmu_encoding.h"
#include "test_seed.h"

unsigned int evtyper_event_mask(const struct pmu_features *f)
{
	/* D24.5.12: evtCount[15:10] exist from FEAT_PMUv3p1 (and not IMPDEF PMUs). */
	return f->pmuver >= PMUVER_V3P1 && f->pmuver != PMUVER_IMPDEF ? 0xffff : 0x3ff;
}

uint64_t evtyper_fields(const struct pmu_features *f, bool ccfilter)
{
	uint64_t fields = PMEVTYPER_P | PMEVTYPER_U;

	/*
	 * NSH "when EL2 is implemented", NSK, NSU, M "when EL3 is": without
	 * them RES0.  MT (FEAT_MTPMU), SH (FEAT_SEL2), RLK/RLU/RLH (FEAT_RME)
	 * and TH/TC/TE (PMMIR_EL1) aren't offered to KVM guests: RES0 here.
	 * PMCCFILTR_EL0 has no evtCount: bits [19:0] are RES0.
	 */
	if (f->el2)
		fields |= PMEVTYPER_NSH;
	if (f->el3)
		fields |= PMEVTYPER_NSK | PMEVTYPER_NSU | PMEVTYPER_M;
	if (!ccfilter)
		fields |= evtyper_event_mask(f);
	return fields;
}

unsigned int evtyper_event(const struct pmu_features *f, uint64_t val, bool ccfilter)
{
	return ccfilter ? PMU_EV_CPU_CYCLES : val & evtyper_event_mask(f);
}

bool evtyper_counts_at(const struct pmu_features *f, uint64_t val, unsigned int el)
{
	bool p = val & PMEVTYPER_P, u = val & PMEVTYPER_U;
	/* CountPMUEvents(): nsk, nsu = '0' unless HaveEL(EL3); nsh = '0' unless HaveEL(EL2). */
	bool nsk = f->el3 && (val & PMEVTYPER_NSK), nsu = f->el3 && (val & PMEVTYPER_NSU);
	bool nsh = f->el2 && (val & PMEVTYPER_NSH);

	switch (el) {
	case 0:
		return u == nsu;
	case 1:
		return p == nsk;
	default:
		return nsh;
	}
}

bool evtyper_readback_ok(const struct pmu_features *f, uint64_t val, uint64_t got, bool ccfilter)
{
	uint64_t fields = evtyper_fields(f, ccfilter);

	/* Fields as written; a RES0 bit reads 0 or as written, never set unwritten. */
	return (got & fields) == (val & fields) && !(got & ~fields & ~val);
}

uint64_t evtyper_random(const struct pmu_features *f, uint64_t *seed)
{
	static const unsigned int counted[] = { PMU_EV_CPU_CYCLES, PMU_EV_INST_RETIRED };
	unsigned int mask = evtyper_event_mask(f);
	uint64_t r = random_next(seed), bits = random_next(seed), val;

	switch (r % 7) {
	case 0:
	case 1:
		/* What the suite counts, dressed in bits above the event space. */
		val = counted[(r >> 8) & 1] | (((r >> 16) & 0xffff) & ~(uint64_t)mask);
		break;
	case 6:
		/*
		 * And with bits 10-15 set: from PMUv3p1 another event, which
		 * must not count as the one in its low bits.
		 */
		val = counted[(r >> 8) & 1] | (((r >> 16) & 0x3f) | 1) << 10;
		break;
	case 2:
		val = (r >> 8) & 0x3f;			/* a common event */
		break;
	case 3:
		val = 0x4000 | ((r >> 8) & 0x3f);	/* a common event from PMUv3p1 */
		break;
	default:
		val = (r >> 8) & 0xfffff;		/* anything, up to bit 19 */
		break;
	}
	/* Every filter field at random, and RES0 bits now and then. */
	val |= bits & (PMEVTYPER_P | PMEVTYPER_U | PMEVTYPER_NSK | PMEVTYPER_NSU |
		       PMEVTYPER_NSH | PMEVTYPER_M | PMEVTYPER_MT | PMEVTYPER_SH);
	if (!(r >> 40 & 3))
		val |= random_next(seed) & 0xffffffff00f00000UL;
	return val;
}
