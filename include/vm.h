/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM: its fd, one memslot of guest RAM and the guest image.
 *
 * The test binary is also the guest image: its loadable segments are copied
 * into guest RAM at VM creation and mapped at their link addresses, so guest
 * code is plain C in the test file.  Guest RAM is identity-mapped (VA == GPA)
 * for stacks and scratch pages; the vGIC and the guest->host call page are
 * identity-mapped as device memory.
 */
#ifndef VM_H
#define VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_PAGE_SIZE		4096UL
#define GUEST_RAM_GPA		0x40000000UL
#define GUEST_RAM_SIZE		(32UL << 20)
#define GUEST_UCALL_GPA		0x0a000000UL	/* no memslot: an MMIO exit */
#define GUEST_GICD_GPA		0x08000000UL
#define GUEST_GICR_GPA		0x080a0000UL
#define GUEST_GICR_STRIDE	0x20000UL
#define VM_MAX_VCPUS		8

struct vcpu;

struct vm {
	int kvm_fd;
	int fd;
	uint8_t *ram;
	uint64_t ram_gpa, ram_size;
	uint64_t next_free;	/* GPA of the first unallocated page */
	uint64_t pgd;		/* GPA of the stage-1 root table */
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned int nr_vcpus;
	int vgic_fd;
};

/* -errno if /dev/kvm can't be opened. */
int kvm_open(void);
/* KVM_CHECK_EXTENSION on /dev/kvm; 0 where KVM is absent. */
int kvm_check_cap(long cap);

struct vm *vm_create(void);
void vm_free(struct vm *vm);

/* Zeroed guest pages, never freed before the VM is. */
uint64_t vm_alloc_pages(struct vm *vm, unsigned int nr);
void *vm_gpa2hva(struct vm *vm, uint64_t gpa);
/* NULL unless [gva, gva + len) is mapped and backed by guest RAM. */
void *vm_gva2hva(struct vm *vm, uint64_t gva, size_t len);

/*
 * Guest globals live at the same address in host and guest; these copy a
 * global's value from the host's copy to the guest's and back.
 */
void vm_sync_to_guest(struct vm *vm, const void *var, size_t len);
void vm_sync_from_guest(struct vm *vm, void *var, size_t len);
#define sync_global_to_guest(vm, g)	vm_sync_to_guest(vm, &(g), sizeof(g))
#define sync_global_from_guest(vm, g)	vm_sync_from_guest(vm, &(g), sizeof(g))

int __vm_ioctl(struct vm *vm, unsigned long cmd, void *arg);

#endif
