// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/vgic.h"
#include "kvm_compat.h"
#include "state.h"
#include "test_util.h"
#include "vcpu.h"
#include "vm.h"

static unsigned int reg_size(uint64_t id)
{
	return 1U << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

struct vcpu_state *vcpu_state_save(struct vcpu *vcpu)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;
	struct vcpu_state *s = calloc(1, sizeof(*s));
	int ret;

	TEST_ASSERT(s, "out of memory");
	/*
	 * A vCPU stopped on an MMIO exit (a guest->host call) has not retired
	 * the access yet: let KVM complete it, as a VMM must before saving.
	 */
	vcpu->run->immediate_exit = 1;
	ret = __vcpu_run(vcpu);
	vcpu->run->immediate_exit = 0;
	TEST_ASSERT(ret == -EINTR, "KVM_RUN with immediate_exit to complete pending I/O");

	ret = __vcpu_ioctl(vcpu, KVM_GET_REG_LIST, &probe);
	TEST_ASSERT(ret == -E2BIG, "KVM_GET_REG_LIST size probe");
	list = calloc(1, sizeof(*list) + probe.n * sizeof(list->reg[0]));
	TEST_ASSERT(list, "out of memory");
	list->n = probe.n;
	TEST_IOCTL(__vcpu_ioctl(vcpu, KVM_GET_REG_LIST, list), "KVM_GET_REG_LIST");

	s->regs = calloc(list->n, sizeof(s->regs[0]));
	TEST_ASSERT(s->regs, "out of memory");
	for (uint64_t i = 0; i < list->n; i++) {
		struct kvm_one_reg reg = { .id = list->reg[i] };

		TEST_ASSERT(reg_size(reg.id) <= sizeof(s->regs[0].val),
			    "register %#llx is wider than expected", reg.id);
		s->regs[s->nr].id = reg.id;
		reg.addr = (uint64_t)s->regs[s->nr].val;
		ret = __vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
			TEST_ASSERT_OK(ret, "KVM_GET_ONE_REG %#llx", reg.id);
		s->nr++;
	}
	free(list);
	return s;
}

int vcpu_state_restore(struct vcpu *vcpu, const struct vcpu_state *s,
		       enum restore_order order, uint64_t *bad)
{
	for (unsigned int k = 0; k < s->nr; k++) {
		unsigned int i = order == RESTORE_REVERSED ? s->nr - 1 - k : k;
		struct kvm_one_reg reg = { .id = s->regs[i].id,
					   .addr = (uint64_t)s->regs[i].val };
		int ret = __vcpu_ioctl(vcpu, KVM_SET_ONE_REG, &reg);

		if (ret) {
			*bad = reg.id;
			return ret;
		}
	}
	return 0;
}

uint64_t vcpu_state_reg(const struct vcpu_state *s, uint64_t id)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < s->nr; i++)
		if (s->regs[i].id == id)
			memcpy(&v, s->regs[i].val, sizeof(v));
	return v;
}

void vcpu_state_free(struct vcpu_state *s)
{
	if (s)
		free(s->regs);
	free(s);
}

struct vm_state *vm_state_save(struct vm *vm)
{
	struct vm_state *s = calloc(1, sizeof(*s));

	TEST_ASSERT(s, "out of memory");
	/* vCPUs first: completing an MMIO exit may touch the vGIC. */
	s->nr_vcpus = vm->nr_vcpus;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		s->vcpus[i] = vcpu_state_save(vm->vcpus[i]);
	if (vm->vgic_fd >= 0)
		s->vgic = vgic_state_save(vm);
	ram_image_save(&s->ram, vm->ram, vm->ram_size);
	s->ram_gpa = vm->ram_gpa;
	return s;
}

int vm_state_restore(struct vm *vm, const struct vm_state *s, enum restore_order order,
		     char *why, size_t len)
{
	uint32_t group = 0;
	uint64_t bad = 0;
	int ret;

	TEST_ASSERT(vm->nr_vcpus == s->nr_vcpus && vm->ram_size == s->ram.size &&
		    vm->ram_gpa == s->ram_gpa && (vm->vgic_fd >= 0) == !!s->vgic,
		    "restoring into a VM built differently");
	ram_image_restore(&s->ram, vm->ram);
	/* Registers before the vGIC: its redistributors are found by MPIDR. */
	for (unsigned int i = 0; i < s->nr_vcpus; i++) {
		ret = vcpu_state_restore(vm->vcpus[i], s->vcpus[i], order, &bad);
		if (ret) {
			snprintf(why, len, "vCPU %u: KVM_SET_ONE_REG %#lx refused: %s", i, bad,
				 strerror(-ret));
			return ret;
		}
	}
	ret = s->vgic ? vgic_state_restore(vm, s->vgic, &group, &bad) : 0;
	if (ret)
		snprintf(why, len, "vGIC: KVM_SET_DEVICE_ATTR group %u attr %#lx refused: %s",
			 group, bad, strerror(-ret));
	return ret;
}

void vm_state_free(struct vm_state *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		vcpu_state_free(s->vcpus[i]);
	vgic_state_free(s->vgic);
	ram_image_free(&s->ram);
	free(s);
}
