// SPDX-License-Identifier: GPL-2.0
/*
 * The event type model says what the Arm ARM says a write reads back as,
 * what it counts, and where.
 */
#include "arm64/sysreg.h"
#include "ktap.h"
#include "pmu_encoding.h"

int main(void)
{
	const struct pmu_features v3p0 = { .pmuver = PMUVER_V3 };
	const struct pmu_features v3p5 = { .pmuver = PMUVER_V3P5, .el2 = true };
	const struct pmu_features nv = { .pmuver = PMUVER_V3P5, .el2 = true, .el3 = true };
	uint64_t seed = 7, v;
	unsigned int above = 0, counted = 0, high = 0, aliases = 0, ev;

	ktap_start(19);
	ktap_check(evtyper_event(&v3p0, 0x10011, false) == 0x11 && evtyper_event(&v3p0, 0x411, false) == 0x11,
		   "PMUv3p0: evtCount is bits [9:0]; 0x411 counts CPU_CYCLES");
	ktap_check(evtyper_event(&v3p5, 0x10011, false) == 0x11 && evtyper_event(&v3p5, 0x4011, false) == 0x4011,
		   "PMUv3p5: evtCount is bits [15:0]; 0x10011 counts CPU_CYCLES, 0x4011 is its own event");
	ktap_check(evtyper_event(&v3p5, 0x8, true) == 0x11, "the cycle counter counts CPU_CYCLES whatever is written");
	ktap_check(evtyper_counts_at(&v3p5, 0, 0) && evtyper_counts_at(&v3p5, 0, 1) && !evtyper_counts_at(&v3p5, 0, 2),
		   "no filter bits: EL0 and EL1, not EL2");
	ktap_check(!evtyper_counts_at(&v3p5, PMEVTYPER_P, 1) && evtyper_counts_at(&v3p5, PMEVTYPER_P, 0),
		   "P excludes EL1 only");
	ktap_check(!evtyper_counts_at(&v3p5, PMEVTYPER_U, 0) && evtyper_counts_at(&v3p5, PMEVTYPER_U, 1),
		   "U excludes EL0 only");
	ktap_check(evtyper_counts_at(&v3p5, PMEVTYPER_NSH, 2), "NSH includes EL2");
	ktap_check(!evtyper_counts_at(&v3p0, PMEVTYPER_NSH, 2), "without EL2, NSH is RES0 and includes nothing");
	ktap_check(evtyper_counts_at(&v3p5, PMEVTYPER_NSK, 1) && evtyper_counts_at(&v3p5, PMEVTYPER_P | PMEVTYPER_NSK, 0),
		   "without EL3, NSK is ignored: P alone decides EL1");
	ktap_check(!evtyper_counts_at(&nv, PMEVTYPER_NSK, 1) && evtyper_counts_at(&nv, PMEVTYPER_P | PMEVTYPER_NSK, 1),
		   "with EL3, Non-secure EL1 counts where P == NSK");
	ktap_check(!evtyper_counts_at(&nv, PMEVTYPER_NSU, 0) && evtyper_counts_at(&nv, PMEVTYPER_U | PMEVTYPER_NSU, 0),
		   "with EL3, Non-secure EL0 counts where U == NSU");
	ktap_check(evtyper_readback_ok(&v3p5, 0x80004011, 0x80004011, false) &&
		   !evtyper_readback_ok(&v3p5, 0x80004011, 0x80000011, false),
		   "fields read back as written");
	ktap_check(evtyper_readback_ok(&v3p0, 0x10411 | PMEVTYPER_NSK, 0x11, false) &&
		   evtyper_readback_ok(&v3p0, 0x10411 | PMEVTYPER_NSK, 0x10411 | PMEVTYPER_NSK, false),
		   "RES0 bits read 0 or as written");
	ktap_check(!evtyper_readback_ok(&v3p5, 0x11, 0x11 | PMEVTYPER_MT, false) &&
		   !evtyper_readback_ok(&v3p5, 0x11, 0x100000011UL, false),
		   "a RES0 bit never reads 1 when 0 was written");
	ktap_check(evtyper_readback_ok(&v3p5, PMEVTYPER_NSH | 0x11, PMEVTYPER_NSH, true) &&
		   evtyper_readback_ok(&v3p5, PMEVTYPER_NSH | 0x11, PMEVTYPER_NSH | 0x11, true) &&
		   !evtyper_readback_ok(&v3p5, PMEVTYPER_NSH, 0, true),
		   "PMCCFILTR_EL0: no evtCount (RES0), NSH a field with EL2");
	ktap_check(evtyper_fields(&nv, false) == (0xffffUL | PMEVTYPER_P | PMEVTYPER_U | PMEVTYPER_NSK |
						  PMEVTYPER_NSU | PMEVTYPER_NSH | PMEVTYPER_M),
		   "a nested guest's fields: P, U, NSK, NSU, NSH, M, evtCount");
	for (int i = 0; i < 10000; i++) {
		v = evtyper_random(&v3p5, &seed);
		above += (v & 0xf0000) != 0;
		high += (v >> 32) != 0;
		counted += evtyper_event(&v3p5, v, false) == 0x11 || evtyper_event(&v3p5, v, false) == 0x8;
		ev = evtyper_event(&v3p5, v, false);
		aliases += ev > 0x3ff && ((ev & 0x3ff) == 0x11 || (ev & 0x3ff) == 0x8);
	}
	ktap_check(counted > 2500 && above > 1000,
		   "random values: a third count what the suite counts (%u), many with bits above the event space (%u)",
		   counted, above);
	ktap_check(high > 1000, "random values: RES0 bits above bit 31 now and then (%u)", high);
	ktap_check(aliases > 1000,
		   "random values: other events whose low 10 bits are a counted one's, often (%u)",
		   aliases);
	ktap_finish();
}
