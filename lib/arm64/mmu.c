// SPDX-License-Identifier: GPL-2.0
#include "arm64/mmu.h"
#include "test_util.h"
#include "vm.h"

#define PTE_VALID	(1UL << 0)
#define PTE_TABLE	(1UL << 1)	/* table at levels 0-2, page at level 3 */
#define PTE_ATTR(i)	((uint64_t)(i) << 2)
#define PTE_AP_EL0	(1UL << 6)	/* AP[1]: accessible from EL0 */
#define PTE_AP_RO	(1UL << 7)	/* AP[2]: read-only */
#define PTE_SH_INNER	(3UL << 8)
#define PTE_AF		(1UL << 10)
#define PTE_PXN		(1UL << 53)
#define PTE_UXN		(1UL << 54)
#define PTE_ADDR_MASK	GENMASK(47, 12)

static uint64_t leaf_bits(enum map_kind kind)
{
	switch (kind) {
	case MAP_TEXT:
		return PTE_ATTR(MAIR_ATTR_NORMAL) | PTE_SH_INNER | PTE_AP_EL0 |
		       PTE_AP_RO;
	case MAP_DATA:
		return PTE_ATTR(MAIR_ATTR_NORMAL) | PTE_SH_INNER | PTE_AP_EL0 |
		       PTE_PXN | PTE_UXN;
	case MAP_DEVICE:
		return PTE_ATTR(MAIR_ATTR_DEVICE) | PTE_PXN | PTE_UXN;
	}
	return 0;
}

static unsigned int va_index(uint64_t gva, int level)
{
	return (gva >> (39 - 9 * level)) & 0x1ff;
}

/* The level-3 entry for @gva, allocating tables on the way if @alloc. */
static uint64_t *pte_lookup(struct vm *vm, uint64_t gva, bool alloc)
{
	uint64_t table = vm->pgd;
	int level;

	for (level = 0; level < 3; level++) {
		uint64_t *e = (uint64_t *)vm_gpa2hva(vm, table) + va_index(gva, level);

		if (!(*e & PTE_VALID)) {
			if (!alloc)
				return NULL;
			*e = vm_alloc_pages(vm, 1) | PTE_VALID | PTE_TABLE;
		}
		table = *e & PTE_ADDR_MASK;
	}
	return (uint64_t *)vm_gpa2hva(vm, table) + va_index(gva, 3);
}

void virt_map(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t len,
	      enum map_kind kind)
{
	uint64_t off;

	TEST_ASSERT(!(gva % GUEST_PAGE_SIZE) && !(gpa % GUEST_PAGE_SIZE),
		    "unaligned mapping %#lx -> %#lx", gva, gpa);
	TEST_ASSERT(gva < (1UL << 48), "VA %#lx beyond 48 bits", gva);
	if (!vm->pgd)
		vm->pgd = vm_alloc_pages(vm, 1);

	for (off = 0; off < len; off += GUEST_PAGE_SIZE) {
		uint64_t *pte = pte_lookup(vm, gva + off, true);

		*pte = ((gpa + off) & PTE_ADDR_MASK) | leaf_bits(kind) |
		       PTE_AF | PTE_VALID | PTE_TABLE;
	}
}

uint64_t virt_gva2gpa(struct vm *vm, uint64_t gva)
{
	uint64_t *pte;

	if (!vm->pgd || gva >= (1UL << 48))
		return ~0UL;
	pte = pte_lookup(vm, gva, false);
	if (!pte || !(*pte & PTE_VALID))
		return ~0UL;
	return (*pte & PTE_ADDR_MASK) | (gva & (GUEST_PAGE_SIZE - 1));
}
