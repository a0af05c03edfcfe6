/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KPF_GUEST_RAM_H
#define KPF_GUEST_RAM_H

#include <stdint.h>

#define RAM_PAGE_SIZE	4096UL

/*
 * Guest RAM as a VMM's migration stream carries it: the pages that are not
 * all zero, each with its page number.  A test's guest touches a few
 * hundred KiB of its 32 MiB: copying all of it twice per migration, and
 * faulting in every page of each copy, made the migration tests the
 * suite's slowest.  Restoring gives RAM equal to the saved RAM, byte for
 * byte, whatever it held before.
 */
struct ram_image {
	uint8_t *pages;		/* the saved pages, in order */
	uint32_t *index;	/* each one's page number */
	unsigned int nr;
	uint64_t size;		/* of the RAM saved */
};

/* @ram, @size bytes (a multiple of RAM_PAGE_SIZE), mapped in this process. */
void ram_image_save(struct ram_image *img, const uint8_t *ram, uint64_t size);
/* Into @ram, img->size bytes like the RAM saved. */
void ram_image_restore(const struct ram_image *img, uint8_t *ram);
void ram_image_free(struct ram_image *img);

#endif
