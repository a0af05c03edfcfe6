// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "arm64/vgic.h"
#include "known_issues.h"
#include "ktap.h"
#include "pmu_vm.h"
#include "ucall.h"
#include "test_util.h"

static const char *const backend_names[] = {
	[PMU_BACKEND_EMULATED] = "emulated",
	[PMU_BACKEND_PARTITIONED] = "partitioned",
};

enum pmu_backend pmu_backend(void)
{
	const char *env = getenv("KPF_PMU_BACKEND");

	if (!env || !*env)
		return PMU_BACKEND_EMULATED;
	for (unsigned int b = PMU_BACKEND_EMULATED; b < ARRAY_SIZE(backend_names); b++)
		if (!strcmp(env, backend_names[b]))
			return b;
	fprintf(stderr, "%s: error: KPF_PMU_BACKEND='%s': not 'emulated' or 'partitioned'\n",
		program_invocation_short_name, env);
	exit(2);
}

/* @backend, with PMU_BACKEND_RUN made this run's. */
static enum pmu_backend backend_of(enum pmu_backend backend)
{
	return backend == PMU_BACKEND_RUN ? pmu_backend() : backend;
}

const char *pmu_backend_name(enum pmu_backend backend)
{
	return backend_names[backend_of(backend)];
}

int pmu_backend_probe(enum pmu_backend backend, char *why, size_t len)
{
	struct vcpu_config vcfg = { .el = GUEST_EL1, .pmu = true };
	struct vm *vm;
	int has, ret;

	if (backend_of(backend) == PMU_BACKEND_EMULATED)
		return 0;
	vm = vm_create();
	vm_vcpu_add(vm, &vcfg, NULL, 0);
	has = __vcpu_has_attr(vm->vcpus[0], KVM_ARM_VCPU_PMU_V3_CTRL,
			      KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION);
	ret = __vcpu_pmu_set_partition(vm->vcpus[0], true);
	vm_free(vm);
	if (!ret)
		known_issue_tag("partitioned-pmu");
	if (ret == -ENXIO)
		snprintf(why, len, "this kernel has no partitioned PMU (KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION: %s)",
			 strerror(-ret));
	else if (ret == -EPERM)
		snprintf(why, len, "the host PMU is not partitioned (KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION: %s%s; boot with arm_pmuv3.reserved_host_counters=N)",
			 strerror(-ret), has ? "" : ", though KVM_HAS_DEVICE_ATTR reports it");
	else if (ret)
		snprintf(why, len, "KVM_ARM_VCPU_PMU_V3_ENABLE_PARTITION: %s", strerror(-ret));
	return ret;
}

struct vm *pmu_vm_create(const struct pmu_vm_config *cfg)
{
	bool partitioned = backend_of(cfg->backend) == PMU_BACKEND_PARTITIONED;
	struct vcpu_config vcfg = { .el = cfg->el, .pmu = true, .e2h0 = cfg->e2h0 };
	unsigned int nr = cfg->nr_vcpus ? cfg->nr_vcpus : 1;
	struct vm *vm = vm_create();
	unsigned int i, f;

	for (i = 0; i < nr; i++)
		vm_vcpu_add(vm, &vcfg, cfg->code, cfg->arg);
	vgic_v3_setup(vm);
	for (i = 0; i < nr; i++) {
		struct vcpu *vcpu = vm->vcpus[i];

		if (partitioned)
			vcpu_pmu_set_partition(vcpu, true);
		vcpu_pmu_set_irq(vcpu, PMU_IRQ_PPI);
		/* The filter is per VM: installing it through vCPU 0 is enough. */
		for (f = 0; i == 0 && f < cfg->nr_filters; f++)
			vcpu_pmu_set_filter(vcpu, &cfg->filters[f]);
		vcpu_pmu_init(vcpu);
	}
	return vm;
}

void pmu_vm_require(enum guest_el el)
{
	struct vcpu_config vcfg = { .el = el, .pmu = true };
	struct vm *vm;
	int fd = kvm_open(), ret;
	char why[256];

	if (fd < 0)
		ktap_skip_all("/dev/kvm: %s", strerror(-fd));
	close(fd);
	if (!kvm_check_cap(KVM_CAP_ARM_PMU_V3))
		ktap_skip_all("KVM has no vPMU (KVM_CAP_ARM_PMU_V3 is 0)");
	if (el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2))
		ktap_skip_all("KVM offers no virtual EL2 (KVM_CAP_ARM_EL2 is 0; boot with kvm-arm.mode=nested)");
	vm = vm_create();
	vm_vcpu_add(vm, &vcfg, NULL, 0);
	ret = __vgic_v3_setup(vm);
	vm_free(vm);
	if (ret)
		ktap_skip_all("cannot create a vGICv3: %s", strerror(-ret));
	known_issue_tag(pmu_backend_name(PMU_BACKEND_RUN));
	if (pmu_backend_probe(PMU_BACKEND_RUN, why, sizeof(why)))
		ktap_skip_all("%s backend: %s", pmu_backend_name(PMU_BACKEND_RUN), why);
}

bool kvm_has_el2_e2h0(void)
{
	return kvm_check_cap(KVM_CAP_ARM_EL2) && kvm_check_cap(KVM_CAP_ARM_EL2_E2H0);
}

#define PROBE_ITERS	1000

static void guest_probe(uint64_t event)
{
	guest_step("count one loop on counter 0");
	pmu_reset();
	pmu_write_evtyper(0, event | (current_el() == 2 ? PMEVTYPER_NSH : 0));
	pmu_enable_counters(BIT(0));
	pmu_start();
	pmu_workload(PROBE_ITERS);
	pmu_stop();
	GUEST_SYNC(pmu_read_counter(0));
}

/*
 * $KPF_PLATFORM_COUNTS lists events known to count on this platform (the QEMU
 * runner sets it): there, a probe that counts nothing is a kernel bug, not a
 * reason to skip.
 */
static bool platform_known_to_count(unsigned int event)
{
	const char *list = getenv("KPF_PLATFORM_COUNTS");
	char *end;

	while (list && *list) {
		unsigned long e = strtoul(list, &end, 0);

		if (end == list)
			break;
		if (e == event)
			return true;
		list = end;
	}
	return false;
}

bool platform_counts_nothing_else(void)
{
	const char *list = getenv("KPF_PLATFORM_COUNTS");
	size_t len = list ? strlen(list) : 0;

	return len >= 4 && !strcmp(list + len - 4, "only");
}

bool platform_gap(const char *gap)
{
	const char *list = getenv("KPF_PLATFORM_GAPS");
	size_t len = strlen(gap);

	for (const char *p = list; p && (p = strstr(p, gap)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

bool platform_counts(unsigned int event, enum guest_el el)
{
	static struct { unsigned int event; enum guest_el el; bool counts; } cache[16];
	static unsigned int cached;
	struct pmu_vm_config cfg = { .el = el, .code = guest_probe, .arg = event };
	struct ucall uc;
	struct vm *vm;
	bool counts;

	/* KVM emulates SW_INCR itself: it counts PMSWINC_EL0 writes, not loops. */
	if (event == PMU_EV_SW_INCR)
		return true;
	for (unsigned int i = 0; i < cached; i++)
		if (cache[i].event == event && cache[i].el == el)
			return cache[i].counts;
	if (el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2))
		return false;
	vm = pmu_vm_create(&cfg);
	counts = vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC &&
		 uc.args[0] >= 2 * PROBE_ITERS;
	if (uc.cmd != UCALL_SYNC)
		ktap_diag("platform probe for event %#x at EL%d failed: %s", event, el, uc.text);
	vm_free(vm);
	if (!counts && platform_known_to_count(event)) {
		ktap_diag("KVM's simplest counter of event %#x at EL%d counted nothing, but this platform counts it ($KPF_PLATFORM_COUNTS): its checks run",
			  event, el);
		counts = true;
	}
	if (cached < ARRAY_SIZE(cache))
		cache[cached++] = (typeof(cache[0])){ event, el, counts };
	return counts;
}

struct vm *pmu_vm_migrate(struct vm **src, const struct pmu_vm_config *cfg,
			  enum restore_order order, struct vm_state **saved,
			  char *why, size_t len)
{
	struct vm_state *s = vm_state_save(*src);
	struct vm *dst;
	int ret;

	vm_free(*src);
	*src = NULL;
	dst = pmu_vm_create(cfg);
	ret = vm_state_restore(dst, s, order, why, len);

	if (saved)
		*saved = s;
	else
		vm_state_free(s);
	if (ret) {
		vm_free(dst);
		return NULL;
	}
	return dst;
}
