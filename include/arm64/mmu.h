/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage-1 translation tables built by the host for the guest: 4K granule,
 * 48-bit VA, one table shared by EL1&0 and the VHE EL2&0 regimes.
 */
#ifndef ARM64_MMU_H
#define ARM64_MMU_H

#include <stdint.h>

struct vm;

enum map_kind {
	MAP_TEXT,	/* read-only, executable at EL0 and EL1 */
	MAP_DATA,	/* read-write at EL0 and EL1, never executable */
	MAP_DEVICE,	/* Device-nGnRE, EL1 only, never executable */
};

/* MAIR indices used by the descriptors above. */
#define MAIR_ATTR_DEVICE	0
#define MAIR_ATTR_NORMAL	1
#define MAIR_VALUE		((0x04UL << (8 * MAIR_ATTR_DEVICE)) | \
				 (0xffUL << (8 * MAIR_ATTR_NORMAL)))
/* T0SZ=16, inner/outer WB WA, inner shareable, 4K, no TTBR1 walks, 40-bit PA. */
#define TCR_VALUE		(16UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | \
				 (1UL << 23) | (2UL << 32))
/*
 * TCR_EL2 of a non-VHE EL2 (one VA range): the same walk, PS=40 bits at
 * [18:16], bits 23 and 31 RES1.  The descriptors above fit its regime too:
 * AP[1] and PXN are ignored there.
 */
#define TCR_EL2_NVHE_VALUE	(16UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | \
				 (2UL << 16) | (1UL << 23) | (1UL << 31))

void virt_map(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t len,
	      enum map_kind kind);
/* The GPA @gva maps to, or ~0 if unmapped. */
uint64_t virt_gva2gpa(struct vm *vm, uint64_t gva);

#endif
