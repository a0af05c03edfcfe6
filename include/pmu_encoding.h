/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the event type registers, PMEVTYPER<n>_EL0 and
 * PMCCFILTR_EL0, as a guest writes raw values to them (Arm ARM DDI0487
 * M.a, D24.5 and CountPMUEvents()): which bits are fields of this PMU and
 * read back as written, which event a counter then counts, and at which
 * Exception levels.  A bit that isn't a field is RES0: it reads as 0 or
 * as written, and never changes what counts.
 */
#ifndef PMU_ENCODING_H
#define PMU_ENCODING_H

#include <stdbool.h>
#include <stdint.h>

/* What the vCPU reports of its PMU, which decides the fields. */
struct pmu_features {
	unsigned int pmuver;	/* ID_AA64DFR0_EL1.PMUVer */
	bool el2, el3;		/* ID_AA64PFR0_EL1.EL2, EL3 implemented */
};

/* The bits of the register that are fields: P, U, evtCount, and NSH, NSK, NSU, M by EL. */
uint64_t evtyper_fields(const struct pmu_features *f, bool ccfilter);

/* evtCount's width: 10 bits before PMUv3p1, 16 from it. */
unsigned int evtyper_event_mask(const struct pmu_features *f);

/*
 * The event a counter programmed with @val counts: evtCount, within the
 * event space; CPU_CYCLES for the cycle counter (@ccfilter).
 */
unsigned int evtyper_event(const struct pmu_features *f, uint64_t val, bool ccfilter);

/*
 * Whether @val's filter lets the counter count at @el (0, 1 or 2), in
 * Non-secure state: U (and NSU where EL3 is) at EL0, P (and NSK) at EL1,
 * NSH at EL2.
 */
bool evtyper_counts_at(const struct pmu_features *f, uint64_t val, unsigned int el);

/* Whether @got is an architectural read-back of a write of @val. */
bool evtyper_readback_ok(const struct pmu_features *f, uint64_t val, uint64_t got, bool ccfilter);

/*
 * A raw value a guest might write to get round the filter: the events the
 * suite counts (CPU_CYCLES, INST_RETIRED) and others, bits above the event
 * space, the 0x4000 common events, every filter field and RES0 bits, each
 * at random.  Deterministic in *@seed, which it advances.
 */
uint64_t evtyper_random(const struct pmu_features *f, uint64_t *seed);

#endif
