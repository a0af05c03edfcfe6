// SPDX-License-Identifier: GPL-2.0
/*
 * A migration's RAM: what is restored equals what was saved, byte for byte,
 * whatever the destination held, and only pages that are not all zero are
 * carried.
 */
#include <string.h>
#include <sys/mman.h>

#include "guest_ram.h"
#include "ktap.h"

#define NR_PAGES	64
#define SIZE		(NR_PAGES * RAM_PAGE_SIZE)

static uint8_t *map_ram(void)
{
	uint8_t *ram = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return ram == MAP_FAILED ? NULL : ram;
}

int main(void)
{
	uint8_t *src = map_ram(), *dst = map_ram(), *twin = map_ram();
	struct ram_image img;

	ktap_start(5);
	if (!src || !dst || !twin)
		ktap_skip_all("cannot map %lu bytes", SIZE);

	/* Written pages, a page written then zeroed, one read, the rest untouched. */
	memset(src + 3 * RAM_PAGE_SIZE, 0xa5, RAM_PAGE_SIZE);
	src[10 * RAM_PAGE_SIZE + 17] = 1;
	src[NR_PAGES * RAM_PAGE_SIZE - 1] = 2;
	memset(src + 20 * RAM_PAGE_SIZE, 0x5a, RAM_PAGE_SIZE);
	memset(src + 20 * RAM_PAGE_SIZE, 0, RAM_PAGE_SIZE);
	ktap_check(src[30 * RAM_PAGE_SIZE] == 0, "an untouched page reads zero");

	ram_image_save(&img, src, SIZE);
	ktap_check(img.nr == 3 && img.index[0] == 3 && img.index[1] == 10 &&
		   img.index[2] == NR_PAGES - 1,
		   "the saved pages are those that are not all zero (%u: %u, %u, %u)",
		   img.nr, img.index[0], img.index[1], img.index[2]);

	/* A destination holding something everywhere, as a new VM's image. */
	memset(dst, 0xff, SIZE);
	ram_image_restore(&img, dst);
	ktap_check(!memcmp(dst, src, SIZE), "restored over other data: equal to the saved RAM");

	ram_image_restore(&img, twin);
	ktap_check(!memcmp(twin, src, SIZE), "restored into fresh RAM: equal to the saved RAM");

	memset(src + 3 * RAM_PAGE_SIZE, 0, RAM_PAGE_SIZE);
	ram_image_free(&img);
	ram_image_save(&img, src, SIZE);
	ram_image_restore(&img, dst);
	ktap_check(!memcmp(dst, src, SIZE) && img.nr == 2,
		   "a page zeroed since is zeroed where it held data (%u pages saved)", img.nr);
	ram_image_free(&img);
	ktap_finish();
}
