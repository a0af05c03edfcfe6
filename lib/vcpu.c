// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arm64/mmu.h"
#include "arm64/processor.h"
#include "arm64/sysreg.h"
#include "test_util.h"
#include "vcpu.h"
#include "vm.h"

#define STACK_PAGES	16

int __vcpu_ioctl(struct vcpu *vcpu, unsigned long cmd, void *arg)
{
	int ret = ioctl(vcpu->fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int __vcpu_get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)val };

	return __vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
}

int __vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)&val };

	return __vcpu_ioctl(vcpu, KVM_SET_ONE_REG, &reg);
}

uint64_t vcpu_get_reg(struct vcpu *vcpu, uint64_t id)
{
	uint64_t val = 0;
	int ret = __vcpu_get_reg(vcpu, id, &val);

	TEST_ASSERT_OK(ret, "KVM_GET_ONE_REG %#lx on vCPU %u", id, vcpu->id);
	return val;
}

void vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	int ret = __vcpu_set_reg(vcpu, id, val);

	TEST_ASSERT_OK(ret, "KVM_SET_ONE_REG %#lx = %#lx on vCPU %u", id, val,
		    vcpu->id);
}

int __vcpu_has_attr(struct vcpu *vcpu, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr };

	return __vcpu_ioctl(vcpu, KVM_HAS_DEVICE_ATTR, &a);
}

int __vcpu_set_attr(struct vcpu *vcpu, uint32_t group, uint64_t attr,
		    const void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)addr,
	};

	return __vcpu_ioctl(vcpu, KVM_SET_DEVICE_ATTR, &a);
}

int __vcpu_run(struct vcpu *vcpu)
{
	return __vcpu_ioctl(vcpu, KVM_RUN, NULL);
}

static void vcpu_init_features(struct vcpu *vcpu, const struct vcpu_config *cfg)
{
	struct kvm_vcpu_init init;

	TEST_IOCTL(__vm_ioctl(vcpu->vm, KVM_ARM_PREFERRED_TARGET, &init),
		   "KVM_ARM_PREFERRED_TARGET");
	/* The target only; every feature is the test's own choice. */
	for (unsigned int i = 0; i < ARRAY_SIZE(init.features); i++)
		init.features[i] = 0;
	init.features[0] |= BIT(KVM_ARM_VCPU_PSCI_0_2);
	if (cfg->pmu)
		init.features[0] |= BIT(KVM_ARM_VCPU_PMU_V3);
	if (cfg->pmu_strict)
		init.features[0] |= BIT(KVM_ARM_VCPU_PMU_V3_STRICT);
	if (cfg->el == GUEST_EL2)
		init.features[0] |= BIT(KVM_ARM_VCPU_HAS_EL2);
	if (cfg->el == GUEST_EL2 && cfg->e2h0)
		init.features[0] |= BIT(KVM_ARM_VCPU_HAS_EL2_E2H0);
	TEST_IOCTL(__vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init),
		   "KVM_ARM_VCPU_INIT");
}

struct vcpu *vm_vcpu_add(struct vm *vm, const struct vcpu_config *cfg,
			 guest_code_t code, uint64_t arg)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "out of memory");
	TEST_ASSERT(vm->nr_vcpus < VM_MAX_VCPUS, "too many vCPUs");
	TEST_ASSERT(cfg->el == GUEST_EL1 || cfg->el == GUEST_EL2,
		    "a vCPU starts at EL1 or EL2, not EL%d", cfg->el);
	vcpu->vm = vm;
	vcpu->id = vm->nr_vcpus;
	vcpu->el = cfg->el;
	vcpu->e2h0 = cfg->el == GUEST_EL2 && cfg->e2h0;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, vcpu->id);
	TEST_IOCTL(vcpu->fd, "KVM_CREATE_VCPU");
	vcpu->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_IOCTL(vcpu->run_size, "KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "cannot map kvm_run");
	vm->vcpus[vm->nr_vcpus++] = vcpu;

	vcpu_init_features(vcpu, cfg);
	vcpu->stack_top = vm_alloc_pages(vm, STACK_PAGES) + STACK_PAGES * GUEST_PAGE_SIZE;
	vcpu->el0_stack_top = vm_alloc_pages(vm, STACK_PAGES) + STACK_PAGES * GUEST_PAGE_SIZE;
	if (cfg->el == GUEST_EL2)
		vcpu->el1_stack_top = vm_alloc_pages(vm, STACK_PAGES) +
				      STACK_PAGES * GUEST_PAGE_SIZE;
	vcpu_setup_el(vcpu, code, arg);
	return vcpu;
}

void vcpu_free(struct vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	free(vcpu);
}
