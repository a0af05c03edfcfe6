// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/ioctl.h>

#include "arm64/sysreg.h"
#include "arm64/vgic.h"
#include "kvm_compat.h"
#include "test_util.h"
#include "ucall.h"
#include "vm.h"

#define VGIC_NR_IRQS		64

/* ---- host side ---- */

static int vgic_attr(int fd, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)addr,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

int vgic_v3_create(struct vm *vm)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GUEST_GICD_GPA, redist = GUEST_GICR_GPA;
	uint32_t nr_irqs = VGIC_NR_IRQS;
	int ret;

	ret = __vm_ioctl(vm, KVM_CREATE_DEVICE, &dev);
	if (ret)
		return ret;
	vm->vgic_fd = dev.fd;
	TEST_IOCTL(vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist), "vGIC dist address");
	TEST_IOCTL(vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist), "vGIC redist address");
	TEST_IOCTL(vgic_attr(dev.fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs),
		   "vGIC nr_irqs");
	return 0;
}

void vgic_v3_init(struct vm *vm)
{
	TEST_IOCTL(vgic_attr(vm->vgic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
			     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL), "vGIC init");
}

int vgic_v3_setup(struct vm *vm)
{
	int ret = vgic_v3_create(vm);

	if (!ret)
		vgic_v3_init(vm);
	return ret;
}

/* ---- guest side ---- */

#define GICD_CTLR		0x0000
#define GICD_CTLR_ARE		(1U << 4)
#define GICD_CTLR_GRP1		(1U << 1)
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1U << 1)
#define GICR_WAKER_ASLEEP	(1U << 2)
#define GICR_SGI_BASE		0x10000
#define GICR_IGROUPR0		(GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI_BASE + 0x0100)
#define GICR_IPRIORITYR		(GICR_SGI_BASE + 0x0400)

#define ICC_PMR_EL1		S3_0_C4_C6_0
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1
#define ICC_SRE_EL1		S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1		S3_0_C12_C12_7

static volatile uint32_t *gic_reg(uint64_t base, uint64_t off)
{
	return (volatile uint32_t *)(base + off);
}

static uint64_t my_redist(void)
{
	return GUEST_GICR_GPA + guest_vcpu_id() * GUEST_GICR_STRIDE;
}

void gic_init_cpu(void)
{
	uint64_t rd = my_redist();

	*gic_reg(GUEST_GICD_GPA, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
	*gic_reg(rd, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
	while (*gic_reg(rd, GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	write_sysreg(1, ICC_SRE_EL1);
	isb();
	write_sysreg(0xff, ICC_PMR_EL1);
	write_sysreg(1, ICC_IGRPEN1_EL1);
	isb();
}

void gic_enable_ppi(unsigned int intid)
{
	uint64_t rd = my_redist();
	volatile uint8_t *prio = (volatile uint8_t *)gic_reg(rd, GICR_IPRIORITYR);

	prio[intid] = 0x80;
	*gic_reg(rd, GICR_IGROUPR0) |= 1U << intid;
	*gic_reg(rd, GICR_ISENABLER0) = 1U << intid;
	dsb(sy);
}

uint32_t gic_ack(void)
{
	uint32_t intid = read_sysreg(ICC_IAR1_EL1) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_eoi(uint32_t intid)
{
	write_sysreg(intid, ICC_EOIR1_EL1);
	isb();
}
