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

static const struct step {
	const char *what;
	unsigned int idx;	/* counter */
	unsigned int event;	/* the event it holds in this step */
	enum check check;
} steps[] = {
	{ "event counter, CPU_CYCLES, running", CTR, A, COUNTS_IF_ALLOWED },
	{ "reprogrammed to INST_RETIRED while running", CTR, D, COUNTS_IF_ALLOWED },
	{ "reprogrammed back to CPU_CYCLES", CTR, A, COUNTS_IF_ALLOWED },
	{ "INST_RETIRED, disabled by PMCNTENCLR", CTR, D, NEVER_COUNTS },
	{ "INST_RETIRED, re-enabled by PMCNTENSET", CTR, D, COUNTS_IF_ALLOWED },
	{ "CPU_CYCLES, PMCR_EL0.E clear", CTR, A, NEVER_COUNTS },
	{ "CPU_CYCLES, PMCR_EL0.E set again", CTR, A, COUNTS_IF_ALLOWED },
	{ "INST_RETIRED from a preset value", CTR, D, KEEPS_PRESET_IF_DENIED },
	{ "PMCR_EL0.P resets the event counter", CTR, D, READS_ZERO },
	{ "cycle counter from a preset value", PMU_CYCLE_IDX, A, KEEPS_PRESET_IF_DENIED },
	{ "PMCR_EL0.C resets the cycle counter", PMU_CYCLE_IDX, A, READS_ZERO },
};

/* Sets up step @i, then reports the counter's move (or value) over the loop. */
static void guest_code(uint64_t arg)
{
	uint64_t val;

	guest_step("program event counter 0 and start");
	pmu_reset();
	pmu_write_evtyper(CTR, A);
	pmu_enable_counters(BIT(CTR));
	pmu_start();
	for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++) {
		guest_step(steps[i].what);
		switch (i) {
		case 1: case 2: case 3:
			pmu_write_evtyper(CTR, steps[i].event);
			if (i == 3)
				pmu_disable_counters(BIT(CTR));
			break;
		case 4:
			pmu_enable_counters(BIT(CTR));
			break;
		case 5:
			pmu_write_evtyper(CTR, A);
			pmu_stop();
			break;
		case 6:
			pmu_start();
			break;
		case 7:
			pmu_write_evtyper(CTR, D);
			pmu_write_counter(CTR, PRESET);
			break;
		case 9:
			pmu_write_evtyper(PMU_CYCLE_IDX, 0);
			pmu_write_counter(PMU_CYCLE_IDX, PRESET);
			pmu_enable_counters(BIT(PMU_CYCLE_IDX));
			break;
		}
		if (steps[i].check == READS_ZERO) {
			/* Stopped around the reset, so an allowed counter reads 0 too. */
			pmu_stop();
			write_sysreg(read_sysreg(pmcr_el0) |
				     (steps[i].idx == PMU_CYCLE_IDX ? PMCR_C : PMCR_P), pmcr_el0);
			isb();
			val = pmu_read_counter(steps[i].idx);
			pmu_start();
		} else if (steps[i].check == KEEPS_PRESET_IF_DENIED) {
			pmu_workload(ITERS);
			val = pmu_read_counter(steps[i].idx);
		} else {
			val = pmu_workload_delta(steps[i].idx, ITERS);
		}
		GUEST_SYNC(i, val);
	}
}

struct run {
	bool ran;
	uint64_t val[ARRAY_SIZE(steps)];
	char why[UCALL_TEXT_LEN];
};

static void run_vm(const struct filter_vm *c, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &c->range,
				     .nr_filters = c->nr, .code = guest_code };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	r->ran = true;
	for (unsigned int i = 0; r->ran && i < ARRAY_SIZE(steps); i++) {
		r->ran = vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC && uc.args[0] == i;
		r->val[i] = uc.args[1];
	}
	snprintf(r->why, sizeof(r->why), "%s", uc.text);
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
		ktap_check(s->check == COUNTS_IF_ALLOWED ? v > 0 : v > PRESET,
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

			if (!runs[v].ran)
				ktap_fail("%s: %s: guest failed: %s", deny_one_vms[v].name, steps[i].what,
					  runs[v].why);
			else
				check(&deny_one_vms[v], &steps[i], runs[v].val[i], control);
		}
	}
	ktap_finish();
}
