// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "arm64/sysreg.h"
#include "arm64/vgic.h"
#include "kvm_compat.h"
#include "test_util.h"
#include "ucall.h"
#include "vcpu.h"
#include "vm.h"

#define VGIC_NR_IRQS		64

#define GICD_CTLR		0x0000
#define GICD_IIDR		0x0008
#define GICD_CTLR_ARE		(1U << 4)
#define GICD_CTLR_GRP1		(1U << 1)
#define GICR_CTLR		0x0000
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1U << 1)
#define GICR_WAKER_ASLEEP	(1U << 2)
#define GICR_SGI_BASE		0x10000
#define GICR_IGROUPR0		(GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI_BASE + 0x0100)
#define GICR_ISPENDR0		(GICR_SGI_BASE + 0x0200)
#define GICR_IPRIORITYR		(GICR_SGI_BASE + 0x0400)

#define ICC_PMR_EL1		S3_0_C4_C6_0
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1
#define ICC_SRE_EL1		S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1		S3_0_C12_C12_7

/* ---- host side ---- */

static int vgic_attr(int fd, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)addr,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

int __vgic_v3_create(struct vm *vm)
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

void vgic_v3_create(struct vm *vm)
{
	TEST_ASSERT_OK(__vgic_v3_create(vm), "vGICv3 creation");
}

int __vgic_v3_setup(struct vm *vm)
{
	int ret = __vgic_v3_create(vm);

	if (!ret)
		vgic_v3_init(vm);
	return ret;
}

void vgic_v3_setup(struct vm *vm)
{
	vgic_v3_create(vm);
	vgic_v3_init(vm);
}

/* ---- host side: the state a VMM migrates ---- */

#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000

/* The CPU interface registers, as KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS encodes them. */
#define ICC_ATTR(op0, op1, crn, crm, op2) \
	((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

/* One register: written on restore in the order saved. */
struct vgic_saved_reg {
	uint32_t group;
	uint64_t attr;
	uint64_t clear;		/* the "clear" twin written with ~val first, or 0 */
	uint64_t val;
	bool wide;		/* 64-bit (CPU interface), else 32-bit */
	bool beyond_first;	/* AP<n>R with n > 0: exists per host priority bits */
};

struct vgic_state {
	unsigned int nr, max;
	struct vgic_saved_reg *regs;
};

static int vgic_reg_access(int fd, unsigned long cmd, const struct vgic_saved_reg *r,
			   uint64_t attr, uint64_t *val)
{
	uint32_t narrow = *val;
	struct kvm_device_attr a = {
		.group = r->group, .attr = attr,
		.addr = r->wide ? (uint64_t)val : (uint64_t)&narrow,
	};
	int ret = ioctl(fd, cmd, &a) ? -errno : 0;

	if (!r->wide)
		*val = narrow;
	return ret;
}

/* The redistributor/CPU-interface selector KVM wants: MPIDR's affinity fields. */
static uint64_t vgic_mpidr_attr(struct vcpu *vcpu)
{
	uint64_t mpidr = vcpu_get_reg(vcpu, ID_MPIDR_EL1);

	return ((mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff)) << 32;
}

static void vgic_add(struct vgic_state *s, uint32_t group, uint64_t attr,
		     uint64_t clear, bool wide)
{
	if (s->nr == s->max) {
		s->max = s->max ? 2 * s->max : 256;
		s->regs = realloc(s->regs, s->max * sizeof(s->regs[0]));
		TEST_ASSERT(s->regs, "out of memory");
	}
	s->regs[s->nr++] = (struct vgic_saved_reg){
		.group = group, .attr = attr, .clear = clear, .wide = wide,
	};
}

/* Interrupts [first, first + 32) of one register file, configuration before state. */
static void vgic_add_irq_block(struct vgic_state *s, uint32_t group, uint64_t mpidr,
			       unsigned int first)
{
	bool rd = group == KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
	uint64_t base = rd ? 0x10000 : 0, bank = rd ? 0 : first / 8;

	vgic_add(s, group, mpidr | (base + GICD_IGROUPR + bank), 0, false);
	for (unsigned int i = 0; i < 2; i++)
		vgic_add(s, group, mpidr | (base + GICD_ICFGR + first / 4 + 4 * i), 0, false);
	for (unsigned int i = 0; i < 8; i++)
		vgic_add(s, group, mpidr | (base + GICD_IPRIORITYR + first + 4 * i), 0, false);
	for (unsigned int i = 0; !rd && i < 32; i++) {
		vgic_add(s, group, GICD_IROUTER + 8 * (first + i), 0, false);
		vgic_add(s, group, GICD_IROUTER + 8 * (first + i) + 4, 0, false);
	}
	/* A level-triggered line's level before the latch ISPENDR holds. */
	vgic_add(s, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
		 mpidr | VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT |
		 first, 0, false);
	vgic_add(s, group, mpidr | (base + GICD_ISPENDR + bank), 0, false);
	vgic_add(s, group, mpidr | (base + GICD_ISACTIVER + bank),
		 mpidr | (base + GICD_ICACTIVER + bank), false);
	vgic_add(s, group, mpidr | (base + GICD_ISENABLER + bank),
		 mpidr | (base + GICD_ICENABLER + bank), false);
}

/*
 * The CPU interface registers, @count of them from @attr up where numbered
 * (AP<n>R, LR<n>: the number adds to op2, carrying into CRm).
 */
static const struct {
	uint16_t attr, count;
	bool ap;
} vgic_cpu_regs[] = {
	/* A guest hypervisor's virtual CPU interface (nested vCPUs only). */
	{ ICC_ATTR(3, 4, 12, 9, 5), 1, false },	/* ICC_SRE_EL2 */
	{ ICC_ATTR(3, 4, 12, 11, 0), 1, false },	/* ICH_HCR_EL2 */
	{ ICC_ATTR(3, 4, 12, 11, 7), 1, false },	/* ICH_VMCR_EL2 */
	{ ICC_ATTR(3, 4, 12, 8, 0), 4, true },	/* ICH_AP0R<n>_EL2 */
	{ ICC_ATTR(3, 4, 12, 9, 0), 4, true },	/* ICH_AP1R<n>_EL2 */
	{ ICC_ATTR(3, 4, 12, 12, 0), 16, false },	/* ICH_LR<n>_EL2 */
	/* The EL1 CPU interface: control before priorities before enables. */
	{ ICC_ATTR(3, 0, 12, 12, 5), 1, false },	/* ICC_SRE_EL1 */
	{ ICC_ATTR(3, 0, 12, 12, 4), 1, false },	/* ICC_CTLR_EL1 */
	{ ICC_ATTR(3, 0, 4, 6, 0), 1, false },		/* ICC_PMR_EL1 */
	{ ICC_ATTR(3, 0, 12, 8, 3), 1, false },	/* ICC_BPR0_EL1 */
	{ ICC_ATTR(3, 0, 12, 12, 3), 1, false },	/* ICC_BPR1_EL1 */
	{ ICC_ATTR(3, 0, 12, 8, 4), 4, true },	/* ICC_AP0R<n>_EL1 */
	{ ICC_ATTR(3, 0, 12, 9, 0), 4, true },	/* ICC_AP1R<n>_EL1 */
	{ ICC_ATTR(3, 0, 12, 12, 6), 1, false },	/* ICC_IGRPEN0_EL1 */
	{ ICC_ATTR(3, 0, 12, 12, 7), 1, false },	/* ICC_IGRPEN1_EL1 */
};


/*
 * Which registers: what KVM's vGICv3 documentation lists for the VM's
 * interrupts (SGIs, PPIs, its SPIs), minus LPIs (the VM has no ITS) and
 * the registers that read as zero or are fixed by the configuration.
 */
static struct vgic_state *vgic_state_layout(struct vm *vm)
{
	struct vgic_state *s = calloc(1, sizeof(*s));
	uint32_t nr_irqs;
	struct vgic_saved_reg probe = { .group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS };
	uint64_t v = 0;

	TEST_ASSERT(s, "out of memory");
	TEST_IOCTL(vgic_reg_access(vm->vgic_fd, KVM_GET_DEVICE_ATTR, &probe, 0, &v),
		   "vGIC nr_irqs");
	nr_irqs = v;
	vgic_add(s, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IIDR, 0, false);
	vgic_add(s, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, 0, false);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint64_t mpidr = vgic_mpidr_attr(vm->vcpus[i]);

		vgic_add(s, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mpidr | GICR_CTLR, 0, false);
		vgic_add_irq_block(s, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mpidr, 0);
	}
	for (unsigned int first = 32; first < nr_irqs; first += 32)
		vgic_add_irq_block(s, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
				   vgic_mpidr_attr(vm->vcpus[0]), first);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint64_t mpidr = vgic_mpidr_attr(vm->vcpus[i]);

		for (unsigned int r = 0; r < ARRAY_SIZE(vgic_cpu_regs); r++)
			for (unsigned int n = 0; n < vgic_cpu_regs[r].count; n++) {
				vgic_add(s, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
					 mpidr | (vgic_cpu_regs[r].attr + n), 0, true);
				s->regs[s->nr - 1].beyond_first = vgic_cpu_regs[r].ap && n;
			}
	}
	return s;
}

struct vgic_state *vgic_state_save(struct vm *vm)
{
	struct vgic_state *s = vgic_state_layout(vm);
	unsigned int kept = 0;

	for (unsigned int i = 0; i < s->nr; i++) {
		struct vgic_saved_reg *r = &s->regs[i];
		struct kvm_device_attr has = { .group = r->group, .attr = r->attr };
		int ret;

		/* The EL2 CPU interface exists only for nested vCPUs: ask. */
		if (r->group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS &&
		    ioctl(vm->vgic_fd, KVM_HAS_DEVICE_ATTR, &has))
			continue;
		ret = vgic_reg_access(vm->vgic_fd, KVM_GET_DEVICE_ATTR, r, r->attr, &r->val);
		/* AP<n>R beyond the host's priority bits: HAS_ATTR says yes, GET EINVAL. */
		if (r->beyond_first && ret == -EINVAL)
			continue;
		errno = -ret;
		TEST_ASSERT(!ret, "vGIC save: group %u attr %#lx", r->group, r->attr);
		s->regs[kept++] = *r;
	}
	s->nr = kept;
	return s;
}

int vgic_state_restore(struct vm *vm, const struct vgic_state *s, uint32_t *bad_group,
		       uint64_t *bad_attr)
{
	for (unsigned int i = 0; i < s->nr; i++) {
		const struct vgic_saved_reg *r = &s->regs[i];
		uint64_t val = ~r->val;
		int ret = 0;

		if (r->clear)
			ret = vgic_reg_access(vm->vgic_fd, KVM_SET_DEVICE_ATTR, r, r->clear, &val);
		val = r->val;
		if (!ret)
			ret = vgic_reg_access(vm->vgic_fd, KVM_SET_DEVICE_ATTR, r, r->attr, &val);
		if (ret) {
			*bad_group = r->group;
			*bad_attr = r->attr;
			return ret;
		}
	}
	return 0;
}

unsigned int vgic_state_diff(const struct vgic_state *a, const struct vgic_state *b,
			     uint64_t *first_attr)
{
	unsigned int n = a->nr == b->nr ? 0 : 1;

	for (unsigned int i = 0; i < a->nr && i < b->nr; i++) {
		if (a->regs[i].attr == b->regs[i].attr && a->regs[i].val == b->regs[i].val)
			continue;
		if (!n++)
			*first_attr = a->regs[i].attr;
	}
	return n;
}

unsigned int vgic_state_nr_regs(const struct vgic_state *s)
{
	return s->nr;
}

void vgic_state_free(struct vgic_state *s)
{
	if (s)
		free(s->regs);
	free(s);
}

bool vgic_line_level(struct vm *vm, unsigned int vcpu, unsigned int intid)
{
	struct vgic_saved_reg r = { .group = KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO };
	/* SPIs are the same through any vCPU's, but KVM wants a real MPIDR. */
	uint64_t attr = vgic_mpidr_attr(vm->vcpus[intid < 32 ? vcpu : 0]) |
			VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT |
			(intid & ~31U);
	uint64_t v = 0;

	TEST_IOCTL(vgic_reg_access(vm->vgic_fd, KVM_GET_DEVICE_ATTR, &r, attr, &v),
		   "vGIC line level");
	return v & BIT(intid % 32);
}

/* ---- guest side ---- */

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

uint32_t gic_pending_ppis(void)
{
	return *gic_reg(my_redist(), GICR_ISPENDR0);
}
