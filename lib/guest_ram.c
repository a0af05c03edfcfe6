// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_ram.h"
#include "test_util.h"

/*
 * Which pages of the mapping may hold something other than zeros: those
 * resident in this process (mincore()).  A page nobody ever wrote is not,
 * and reading it to find out would map it.
 */
static unsigned char *resident_pages(const uint8_t *ram, uint64_t size)
{
	unsigned char *vec = malloc(size / RAM_PAGE_SIZE);

	TEST_ASSERT(vec, "out of memory");
	TEST_ASSERT(!mincore((void *)ram, size, vec), "mincore on guest RAM");
	return vec;
}

static bool page_is_zero(const uint8_t *page)
{
	const uint64_t *w = (const uint64_t *)page;

	for (unsigned int i = 0; i < RAM_PAGE_SIZE / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

void ram_image_save(struct ram_image *img, const uint8_t *ram, uint64_t size)
{
	unsigned int nr = size / RAM_PAGE_SIZE;
	unsigned char *resident = resident_pages(ram, size);

	/* Large enough for every page; only those saved are ever touched. */
	img->pages = malloc(size);
	img->index = calloc(nr, sizeof(*img->index));
	TEST_ASSERT(img->pages && img->index, "out of memory");
	img->nr = 0;
	img->size = size;
	for (unsigned int p = 0; p < nr; p++) {
		const uint8_t *page = ram + (uint64_t)p * RAM_PAGE_SIZE;

		if (!(resident[p] & 1) || page_is_zero(page))
			continue;
		memcpy(img->pages + (uint64_t)img->nr * RAM_PAGE_SIZE, page, RAM_PAGE_SIZE);
		img->index[img->nr++] = p;
	}
	free(resident);
}

void ram_image_restore(const struct ram_image *img, uint8_t *ram)
{
	unsigned int nr = img->size / RAM_PAGE_SIZE, next = 0;
	unsigned char *resident = resident_pages(ram, img->size);

	for (unsigned int p = 0; p < nr; p++) {
		uint8_t *page = ram + (uint64_t)p * RAM_PAGE_SIZE;

		if (next < img->nr && img->index[next] == p)
			memcpy(page, img->pages + (uint64_t)next++ * RAM_PAGE_SIZE, RAM_PAGE_SIZE);
		else if ((resident[p] & 1) && !page_is_zero(page))
			memset(page, 0, RAM_PAGE_SIZE);
	}
	free(resident);
}

void ram_image_free(struct ram_image *img)
{
	free(img->pages);
	free(img->index);
	img->pages = NULL;
	img->index = NULL;
	img->nr = 0;
}
