// SPDX-License-Identifier: GPL-2.0
/*
 * filter_reprogram: a counter counts exactly while its current event is
 * allowed and it is enabled, through every way the guest changes it on the
 * fly: a new event type while running, PMCNTENSET/CLR, PMCR_EL0.E, and the
 * PMCR_EL0.P/C resets, which reset filtered counters as architected.
 *
 * One guest program, three VMs: no filter (the positive control), DENY
 * CPU_CYCLES and DENY INST_RETIRED.  Each step reports how far the counter
 * moved over the same loop; what it must do comes from the filter model.
 */
#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define CTR		0
#define ITERS		4000
#define PRESET		1000
#define A		PMU_EV_CPU_CYCLES
#define D		PMU_EV_INST_RETIRED

enum check { COUNTS_IF_ALLOWED, NEVER_COUNTS, KEEPS_PRESET_IF_DENIED, READS_ZERO };

/* What the guest does to the counter before a step's loop. */
enum action {
	NONE,
	SET_TYPE,		/* PMEVTYPER<n>_EL0 (PMCCFILTR_EL0: its filter bits, 0) */
	SET_TYPE_INDIRECT,	/* PMSELR_EL0, then PMXEVTYPER_EL0 */
	DISABLE,		/* PMCNTENCLR_EL0 */
	ENABLE,			/* PMCNTENSET_EL0 */
	STOP,			/* PMCR_EL0.E = 0 */
	START,			/* PMCR_EL0.E = 1 */
	PRESET_VALUE,		/* the counter := PRESET */
};

static const struct step {
	const char *what;
	enum action act[3];	/* in order */
	unsigned int idx;	/* counter */
	unsigned int event;	/* the event it holds in this step */
	enum check check;
} steps[] = {
	{ "event counter, CPU_CYCLES, running", { NONE }, CTR, A, COUNTS_IF_ALLOWED },
	{ "reprogrammed to INST_RETIRED while running", { SET_TYPE }, CTR, D, COUNTS_IF_ALLOWED },
	{ "reprogrammed back to CPU_CYCLES", { SET_TYPE }, CTR, A, COUNTS_IF_ALLOWED },
	{ "reprogrammed to INST_RETIRED through PMSELR_EL0 and PMXEVTYPER_EL0, running",
	  { SET_TYPE_INDIRECT }, CTR, D, COUNTS_IF_ALLOWED },
	{ "reprogrammed back to CPU_CYCLES through PMXEVTYPER_EL0", { SET_TYPE_INDIRECT },
	  CTR, A, COUNTS_IF_ALLOWED },
	{ "INST_RETIRED, disabled by PMCNTENCLR", { SET_TYPE, DISABLE }, CTR, D, NEVER_COUNTS },
	{ "INST_RETIRED, re-enabled by PMCNTENSET", { ENABLE }, CTR, D, COUNTS_IF_ALLOWED },
	{ "CPU_CYCLES, PMCR_EL0.E clear", { SET_TYPE, STOP }, CTR, A, NEVER_COUNTS },
	{ "CPU_CYCLES, PMCR_EL0.E set again", { START }, CTR, A, COUNTS_IF_ALLOWED },
	{ "INST_RETIRED from a preset value", { SET_TYPE, PRESET_VALUE }, CTR, D,
	  KEEPS_PRESET_IF_DENIED },
	{ "PMCR_EL0.P resets the event counter", { NONE }, CTR, D, READS_ZERO },
	{ "cycle counter from a preset value", { SET_TYPE, PRESET_VALUE, ENABLE }, PMU_CYCLE_IDX,
	  A, KEEPS_PRESET_IF_DENIED },
	{ "PMCR_EL0.C resets the cycle counter", { NONE }, PMU_CYCLE_IDX, A, READS_ZERO },
};

static void apply(enum action a, const struct step *s)
{
	uint64_t type = s->idx == PMU_CYCLE_IDX ? 0 : s->event;

	switch (a) {
	case NONE:
		break;
	case SET_TYPE:
		pmu_write_evtyper(s->idx, type);
		break;
	case SET_TYPE_INDIRECT:
		pmu_write_evtyper_indirect(s->idx, type);
		break;
	case DISABLE:
		pmu_disable_counters(BIT(s->idx));
		break;
	case ENABLE:
		pmu_enable_counters(BIT(s->idx));
		break;
	case STOP:
		pmu_stop();
		break;
	case START:
		pmu_start();
		break;
	case PRESET_VALUE:
		pmu_write_counter(s->idx, PRESET);
		break;
	}
}

/* Sets up each step, then reports the counter's move (or value) over the loop. */
static void guest_code(uint64_t arg)
{
	uint64_t val;

	guest_step("program event counter 0 and start");
	pmu_reset();
	pmu_write_evtyper(CTR, A);
	pmu_enable_counters(BIT(CTR));
	pmu_start();
	for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++) {
		const struct step *s = &steps[i];

		guest_step(s->what);
		for (unsigned int a = 0; a < ARRAY_SIZE(s->act); a++)
			apply(s->act[a], s);
		if (s->check == READS_ZERO) {
			/* Stopped around the reset, so an allowed counter reads 0 too. */
			pmu_stop();
			write_sysreg(read_sysreg(pmcr_el0) |
				     (s->idx == PMU_CYCLE_IDX ? PMCR_C : PMCR_P), pmcr_el0);
			isb();
			val = pmu_read_counter(s->idx);
			pmu_start();
		} else if (s->check == KEEPS_PRESET_IF_DENIED) {
			pmu_workload(ITERS);
			val = pmu_read_counter(s->idx);
		} else {
			val = pmu_workload_delta(s->idx, ITERS);
		}
		GUEST_SYNC(i, val);
	}
}

struct run {
	struct guest_run run;
	uint64_t val[ARRAY_SIZE(steps)];
};

static void run_vm(const struct filter_vm *c, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &c->range,
				     .nr_filters = c->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&r->run);
	for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++)
		if (guest_run_step(&r->run, vm->vcpus[0], i, &uc))
			r->val[i] = uc.args[1];
	vm_free(vm);
}


static void check(const struct filter_vm *c, const struct step *s, uint64_t v,
		  bool control_counted)
{
	bool allow = pmu_filter_counts(&c->range, c->nr, s->event);

	switch (s->check) {
	case NEVER_COUNTS:
		ktap_check(v == 0, "%s: %s: doesn't count (%lu)", c->name, s->what, v);
		return;
	case READS_ZERO:
		ktap_check(v == 0, "%s: %s (reads %lu)", c->name, s->what, v);
		return;
	case COUNTS_IF_ALLOWED:
	case KEEPS_PRESET_IF_DENIED:
		break;
	}
	if (!control_counted) {
		ktap_skip("this platform doesn't count the event",
			  "%s: %s: %s", c->name, s->what,
			  allow ? "counts, event allowed" : "never counts, event denied");
	} else if (allow) {
		/* The loop is at least one cycle and two instructions an iteration. */
		ktap_check(s->check == COUNTS_IF_ALLOWED ? v >= ITERS : v >= PRESET + ITERS,
			   "%s: %s: counts, event allowed (%lu)", c->name, s->what, v);
	} else {
		ktap_check(s->check == COUNTS_IF_ALLOWED ? v == 0 : v == PRESET,
			   "%s: %s: never counts, event denied (%lu)", c->name, s->what, v);
	}
}

int main(void)
{
	static struct run runs[NR_DENY_ONE_VMS];

	pmu_vm_require(GUEST_EL1);
	ktap_start(NR_DENY_ONE_VMS * ARRAY_SIZE(steps));
	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
		run_vm(&deny_one_vms[v], &runs[v]);

	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++) {
			bool control = platform_counts(steps[i].event, GUEST_EL1);

			if (!runs[v].run.ok)
				ktap_fail("%s: %s: guest failed: %s", deny_one_vms[v].name, steps[i].what,
					  runs[v].run.why);
			else
				check(&deny_one_vms[v], &steps[i], runs[v].val[i], control);
		}
	}
	ktap_finish();
}
