// SPDX-License-Identifier: GPL-2.0
/*
 * backend_differential: a guest sees the same PMU on the emulated and the
 * partitioned backend.
 *
 * The partitioned PMU (the out-of-tree "ARM64 PMU Partitioning" series)
 * must behave architecturally like the emulated one, filter included: the
 * same guest program, run in two VMs that differ only in their backend,
 * must observe the same values.  Under precise icount every count is exact
 * and deterministic, so "same" means equal.  The guest observes register
 * read-back, PMCEID, counts of allowed and denied events, SW_INCR, a
 * counter reprogrammed while running, an overflow, and overflow status as
 * a guest that polls PMOVSSET_EL0 sees it; at EL1 and, where KVM has
 * nested virtualization, at vEL2 with NSH set.  Each observation is one
 * check naming both values; the emulated VM is the reference, and its own
 * counts are held to the filter so that two equally wrong backends can't
 * agree silently.  One platform limit: QEMU's INST_RETIRED over an
 * overflow isn't exact on the emulated backend (a few events more, in
 * some runs), so that observation is compared to within 64 events.
 */
#include <string.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define LOOP_ITERS	5000

enum obs {
	OBS_PMCR_N,
	OBS_PMCEID0,
	OBS_EVTYPER_READBACK,
	OBS_CCFILTR_READBACK,
	OBS_INST_RETIRED,
	OBS_CPU_CYCLES,
	OBS_CYCLE_COUNTER,
	OBS_SW_INCR,
	OBS_REPROGRAMMED,
	OBS_PRESET_VALUE,
	OBS_PMOVSSET,
	OBS_PMCNTENSET,
	OBS_POLLED_OVERFLOW,
	OBS_GUEST_PMOVS_WRITES,
	NR_OBS,
};

/* Observations a platform doesn't make exactly: how far the backends may differ. */
static const uint64_t obs_slack[NR_OBS] = {
	[OBS_PRESET_VALUE] = 64,
};

#define POLL_PRESET	(0xffffffffUL - 2000)

static const char *const obs_names[NR_OBS] = {
	[OBS_PMCR_N] = "PMCR_EL0.N",
	[OBS_PMCEID0] = "PMCEID0_EL0",
	[OBS_EVTYPER_READBACK] = "PMEVTYPER0_EL0 read back",
	[OBS_CCFILTR_READBACK] = "PMCCFILTR_EL0 read back",
	[OBS_INST_RETIRED] = "INST_RETIRED on counter 0 over the loop",
	[OBS_CPU_CYCLES] = "CPU_CYCLES on counter 1 over the loop",
	[OBS_CYCLE_COUNTER] = "cycle counter over the loop",
	[OBS_SW_INCR] = "SW_INCR on counter 2 after 7 PMSWINC writes",
	[OBS_REPROGRAMMED] = "counter 0 switched INST_RETIRED -> CPU_CYCLES while running",
	[OBS_PRESET_VALUE] = "counter 3 from 0xfffffff0 over the loop (INST_RETIRED)",
	[OBS_PMOVSSET] = "PMOVSSET_EL0 after that",
	[OBS_PMCNTENSET] = "PMCNTENSET_EL0 with counters 0-3 and C enabled",
	[OBS_POLLED_OVERFLOW] = "polling CPU_CYCLES on counter 1 from 2000 below the wrap: wrapped (1), flag shown by the poll that saw it (2)",
	[OBS_GUEST_PMOVS_WRITES] = "PMOVSSET_EL0 after the guest set counter 2's flag, then cleared every flag",
};

static void observe(enum obs o, uint64_t val)
{
	GUEST_SYNC(o, val);
}

/* Counts where the guest runs: EL1, or vEL2 (NSH). */
static uint64_t here(void)
{
	return current_el() == 2 ? PMEVTYPER_NSH : 0;
}

static void guest_code(uint64_t arg)
{
	uint64_t all = BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(PMU_CYCLE_IDX);

	(void)arg;
	guest_step("read the PMU's identity");
	pmu_reset();
	observe(OBS_PMCR_N, pmu_nr_counters());
	observe(OBS_PMCEID0, pmu_pmceid(0));

	guest_step("write and read back event types");
	pmu_write_evtyper(0, PMU_EV_INST_RETIRED | PMEVTYPER_U | PMEVTYPER_NSH);
	observe(OBS_EVTYPER_READBACK, pmu_read_evtyper(0));
	pmu_write_evtyper(PMU_CYCLE_IDX, PMEVTYPER_P | PMEVTYPER_NSH);
	observe(OBS_CCFILTR_READBACK, pmu_read_evtyper(PMU_CYCLE_IDX));

	guest_step("count one loop on four counters");
	pmu_reset();
	pmu_write_evtyper(0, PMU_EV_INST_RETIRED | here());
	pmu_write_evtyper(1, PMU_EV_CPU_CYCLES | here());
	pmu_write_evtyper(2, PMU_EV_SW_INCR | here());
	pmu_write_evtyper(PMU_CYCLE_IDX, here());
	pmu_enable_counters(all & ~BIT(3));
	pmu_start();
	pmu_workload(LOOP_ITERS);
	for (int i = 0; i < 7; i++)
		pmu_sw_increment(BIT(2));
	pmu_stop();
	observe(OBS_INST_RETIRED, pmu_read_counter(0));
	observe(OBS_CPU_CYCLES, pmu_read_counter(1));
	observe(OBS_CYCLE_COUNTER, pmu_read_counter(PMU_CYCLE_IDX));
	observe(OBS_SW_INCR, pmu_read_counter(2));

	guest_step("switch a running counter's event");
	pmu_reset();
	pmu_write_evtyper(0, PMU_EV_INST_RETIRED | here());
	pmu_enable_counters(BIT(0));
	pmu_start();
	pmu_workload(LOOP_ITERS);
	pmu_write_evtyper(0, PMU_EV_CPU_CYCLES | here());
	pmu_workload(LOOP_ITERS);
	pmu_stop();
	observe(OBS_REPROGRAMMED, pmu_read_counter(0));

	guest_step("overflow a preset counter");
	pmu_reset();
	pmu_write_evtyper(3, PMU_EV_INST_RETIRED | here());
	pmu_write_counter(3, 0xfffffff0);
	pmu_enable_counters(BIT(3));
	pmu_start();
	pmu_workload(LOOP_ITERS);
	pmu_stop();
	observe(OBS_PRESET_VALUE, pmu_read_counter(3));
	observe(OBS_PMOVSSET, read_sysreg(pmovsset_el0));
	pmu_enable_counters(all);
	observe(OBS_PMCNTENSET, read_sysreg(pmcntenset_el0));

	guest_step("poll PMOVSSET_EL0 while a counter wraps, interrupts off");
	pmu_reset();
	write_sysreg(~0UL, pmintenclr_el1);
	pmu_write_evtyper(1, PMU_EV_CPU_CYCLES | here());
	pmu_write_counter(1, POLL_PRESET);
	pmu_enable_counters(BIT(1));
	pmu_start();
	for (uint64_t p = 1, wrap = 0, flag = 0; p <= 20; p++) {
		pmu_workload(200);
		if (!wrap && (pmu_read_counter(1) & 0xffffffffUL) < POLL_PRESET)
			wrap = p;
		if (!flag && (read_sysreg(pmovsset_el0) & BIT(1)))
			flag = p;
		if (p == 20) {
			/* Which poll it was depends on the other CPU's work: not compared. */
			pmu_stop();
			observe(OBS_POLLED_OVERFLOW,
				(wrap ? 1 : 0) | (flag && flag <= wrap && flag + 1 >= wrap ? 2 : 0));
		}
	}
	write_sysreg(BIT(2), pmovsset_el0);
	isb();
	all = read_sysreg(pmovsset_el0);
	write_sysreg(~0UL, pmovsclr_el0);
	isb();
	observe(OBS_GUEST_PMOVS_WRITES, all | read_sysreg(pmovsset_el0) << 32);
}

static const struct kvm_pmu_event_filter deny_cycles = {
	.base_event = PMU_EV_CPU_CYCLES, .nevents = 1, .action = PMU_EVENT_DENY,
};
static const struct kvm_pmu_event_filter deny_inst = {
	.base_event = PMU_EV_INST_RETIRED, .nevents = 1, .action = PMU_EVENT_DENY,
};

static const struct {
	const char *name;
	const struct kvm_pmu_event_filter *filter;
} filters[] = {
	{ "no filter", NULL },
	{ "DENY CPU_CYCLES", &deny_cycles },
	{ "DENY INST_RETIRED", &deny_inst },
};

struct run {
	struct guest_run run;
	uint64_t val[NR_OBS];
};

static void run_guest(enum guest_el el, const struct kvm_pmu_event_filter *f,
		      enum pmu_backend backend, struct run *r)
{
	struct pmu_vm_config cfg = {
		.el = el, .backend = backend, .filters = f, .nr_filters = f ? 1 : 0,
		.code = guest_code,
	};
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&r->run);
	for (unsigned int o = 0; o < NR_OBS && guest_run_step(&r->run, vm->vcpus[0], o, &uc); o++)
		r->val[o] = uc.args[1];
	vm_free(vm);
}

/* The reference itself must follow the filter, or agreement proves nothing. */
static bool emulated_follows_filter(const struct run *emu, bool cycles, bool inst)
{
	return (emu->val[OBS_INST_RETIRED] > 0) == inst &&
	       (emu->val[OBS_CPU_CYCLES] > 0) == cycles &&
	       (emu->val[OBS_CYCLE_COUNTER] > 0) == cycles &&
	       emu->val[OBS_SW_INCR] == 7;
}

static void compare(const char *where, unsigned int f)
{
	enum guest_el el = strcmp(where, "EL1") ? GUEST_EL2 : GUEST_EL1;
	const struct kvm_pmu_event_filter *filter = filters[f].filter;
	/* Counts expected where the filter allows it and the platform counts it. */
	bool cycles = pmu_filter_counts(filter, filter ? 1 : 0, PMU_EV_CPU_CYCLES) &&
		      platform_counts(PMU_EV_CPU_CYCLES, el);
	bool inst = pmu_filter_counts(filter, filter ? 1 : 0, PMU_EV_INST_RETIRED) &&
		    platform_counts(PMU_EV_INST_RETIRED, el);
	struct run emu = { 0 }, part = { 0 };

	run_guest(el, filter, PMU_BACKEND_EMULATED, &emu);
	run_guest(el, filter, PMU_BACKEND_PARTITIONED, &part);
	ktap_check(emu.run.ok && emulated_follows_filter(&emu, cycles, inst),
		   "%s, %s: the emulated reference counts what the filter allows%s%s",
		   where, filters[f].name, emu.run.ok ? "" : ": ", emu.run.ok ? "" : emu.run.why);
	for (unsigned int o = 0; o < NR_OBS; o++) {
		if (!emu.run.ok || !part.run.ok) {
			ktap_fail("%s, %s: %s: a guest failed: %s", where, filters[f].name,
				  obs_names[o], emu.run.ok ? part.run.why : emu.run.why);
			continue;
		}
		ktap_check(emu.val[o] + obs_slack[o] >= part.val[o] &&
			   part.val[o] + obs_slack[o] >= emu.val[o],
			   "%s, %s: %s: the same on both backends%s (emulated %#lx, partitioned %#lx)",
			   where, filters[f].name, obs_names[o],
			   obs_slack[o] ? ", within the platform's slack" : "", emu.val[o], part.val[o]);
	}
}

int main(void)
{
	bool el2 = kvm_check_cap(KVM_CAP_ARM_EL2);
	char why[256];

	pmu_vm_require(GUEST_EL1);
	if (pmu_backend_probe(PMU_BACKEND_PARTITIONED, why, sizeof(why)))
		ktap_skip_all("no partitioned backend to compare with: %s", why);
	ktap_start(ARRAY_SIZE(filters) * (NR_OBS + 1) * 2);
	for (unsigned int f = 0; f < ARRAY_SIZE(filters); f++)
		compare("EL1", f);
	for (unsigned int f = 0; f < ARRAY_SIZE(filters); f++) {
		if (el2) {
			compare("vEL2", f);
			continue;
		}
		for (unsigned int o = 0; o <= NR_OBS; o++)
			ktap_skip("KVM offers no virtual EL2 (KVM_CAP_ARM_EL2 is 0)",
				  "vEL2, %s: observation %u", filters[f].name, o);
	}
	ktap_finish();
}
