// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arm64/mmu.h"
#include "kvm_compat.h"
#include "test_util.h"
#include "vcpu.h"
#include "vm.h"

#define PAGE_DOWN(x)	((x) & ~(GUEST_PAGE_SIZE - 1))
#define PAGE_UP(x)	PAGE_DOWN((x) + GUEST_PAGE_SIZE - 1)

int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kvm_check_cap(long cap)
{
	int fd = kvm_open(), ret;

	if (fd < 0)
		return 0;
	ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	close(fd);
	return ret < 0 ? 0 : ret;
}

int __vm_ioctl(struct vm *vm, unsigned long cmd, void *arg)
{
	int ret = ioctl(vm->fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

uint64_t vm_alloc_pages(struct vm *vm, unsigned int nr)
{
	uint64_t gpa = vm->next_free;

	TEST_ASSERT(gpa + nr * GUEST_PAGE_SIZE <= vm->ram_gpa + vm->ram_size,
		    "guest RAM exhausted allocating %u pages", nr);
	vm->next_free += nr * GUEST_PAGE_SIZE;
	return gpa;
}

void *vm_gpa2hva(struct vm *vm, uint64_t gpa)
{
	TEST_ASSERT(gpa >= vm->ram_gpa && gpa < vm->ram_gpa + vm->ram_size,
		    "GPA %#lx outside guest RAM", gpa);
	return vm->ram + (gpa - vm->ram_gpa);
}

void *vm_gva2hva(struct vm *vm, uint64_t gva, size_t len)
{
	uint64_t gpa = virt_gva2gpa(vm, gva);
	uint64_t last = len ? virt_gva2gpa(vm, gva + len - 1) : gpa;

	/* Only ranges contiguous in guest RAM, which is all the suite needs. */
	if (gpa == ~0UL || last != gpa + (len ? len - 1 : 0) ||
	    gpa < vm->ram_gpa || last >= vm->ram_gpa + vm->ram_size)
		return NULL;
	return vm->ram + (gpa - vm->ram_gpa);
}

static void vm_copy_checked(struct vm *vm, const void *var, size_t len,
			    bool to_guest)
{
	uint8_t *p = (uint8_t *)var;
	size_t done = 0;

	/* Page by page: the image's pages need not be contiguous in RAM. */
	while (done < len) {
		uint64_t gva = (uint64_t)(p + done);
		size_t chunk = GUEST_PAGE_SIZE - (gva % GUEST_PAGE_SIZE);
		void *hva;

		if (chunk > len - done)
			chunk = len - done;
		hva = vm_gva2hva(vm, gva, chunk);
		TEST_ASSERT(hva, "%p is not a guest global", (void *)gva);
		if (to_guest)
			memcpy(hva, p + done, chunk);
		else
			memcpy(p + done, hva, chunk);
		done += chunk;
	}
}

void vm_sync_to_guest(struct vm *vm, const void *var, size_t len)
{
	vm_copy_checked(vm, var, len, true);
}

void vm_sync_from_guest(struct vm *vm, void *var, size_t len)
{
	vm_copy_checked(vm, var, len, false);
}

/*
 * Copy this program's loadable segments, as they are in memory now (with
 * relocations and IRELATIVE slots already resolved), into guest RAM at their
 * link addresses.
 */
static void vm_load_image(struct vm *vm)
{
	const Elf64_Phdr *phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	unsigned long i;

	TEST_ASSERT(phdr && phnum, "no program headers in the auxiliary vector");
	for (i = 0; i < phnum; i++) {
		uint64_t start, end, va;

		if (phdr[i].p_type != PT_LOAD)
			continue;
		start = PAGE_DOWN(phdr[i].p_vaddr);
		end = PAGE_UP(phdr[i].p_vaddr + phdr[i].p_memsz);
		for (va = start; va < end; va += GUEST_PAGE_SIZE) {
			uint64_t gpa;

			/* A page shared by two segments is mapped once, by the first. */
			if (virt_gva2gpa(vm, va) != ~0UL)
				continue;
			gpa = vm_alloc_pages(vm, 1);
			memcpy(vm_gpa2hva(vm, gpa), (void *)va, GUEST_PAGE_SIZE);
			virt_map(vm, va, gpa, GUEST_PAGE_SIZE,
				 (phdr[i].p_flags & PF_X) ? MAP_TEXT : MAP_DATA);
		}
	}
}

struct vm *vm_create(void)
{
	struct kvm_userspace_memory_region region;
	struct vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	vm->vgic_fd = -1;
	vm->kvm_fd = kvm_open();
	TEST_ASSERT(vm->kvm_fd >= 0, "cannot open /dev/kvm");
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	TEST_IOCTL(vm->fd, "KVM_CREATE_VM");

	vm->ram_gpa = GUEST_RAM_GPA;
	vm->ram_size = GUEST_RAM_SIZE;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->ram != MAP_FAILED, "cannot map guest RAM");
	vm->next_free = vm->ram_gpa;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = vm->ram_gpa,
		.memory_size = vm->ram_size,
		.userspace_addr = (uint64_t)vm->ram,
	};
	TEST_IOCTL(__vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region),
		   "KVM_SET_USER_MEMORY_REGION");

	vm_load_image(vm);
	virt_map(vm, vm->ram_gpa, vm->ram_gpa, vm->ram_size, MAP_DATA);
	virt_map(vm, GUEST_UCALL_GPA, GUEST_UCALL_GPA, GUEST_PAGE_SIZE, MAP_DEVICE);
	virt_map(vm, GUEST_GICD_GPA, GUEST_GICD_GPA, 0x10000, MAP_DEVICE);
	virt_map(vm, GUEST_GICR_GPA, GUEST_GICR_GPA,
		 VM_MAX_VCPUS * GUEST_GICR_STRIDE, MAP_DEVICE);
	return vm;
}

void vm_free(struct vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_free(vm->vcpus[i]);
	if (vm->vgic_fd >= 0)
		close(vm->vgic_fd);
	close(vm->fd);
	close(vm->kvm_fd);
	munmap(vm->ram, vm->ram_size);
	free(vm);
}
