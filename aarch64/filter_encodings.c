// SPDX-License-Identifier: GPL-2.0
/*
 * filter_encodings: no encoding of an event type gets round the filter.
 *
 * The guest writes raw 64-bit values (pmu_encoding.h's generator, seeded:
 * the seed is printed, KPF_SEED reproduces) to PMEVTYPER<n>_EL0, to
 * PMXEVTYPER_EL0 through PMSELR_EL0 (n, and 31: PMCCFILTR_EL0) and to
 * PMCCFILTR_EL0, on every counter it has: event numbers with bits above
 * the event space its PMUVer defines, the 0x4000 common events, every
 * filter field and RES0 bits.  For each it reads the register back and
 * counts a loop at its own EL and one at EL0.  The model, from the Arm ARM
 * (lib/pmu_encoding.c), says what reads back, which event counts, and
 * where.  Checks, per way of writing: every read-back is architectural; a
 * denied event never counts, under any encoding; an allowed one counts
 * exactly where its encoding asks (the positive control, the same values
 * in the unfiltered VM), and an event this platform doesn't count reads 0.
 * Writes through PMSELR_EL0 or PMEVTYPER<n>_EL0 at n >= PMCR_EL0.N reach
 * no counter.  VMs: no filter, DENY CPU_CYCLES and INST_RETIRED, ALLOW
 * CPU_CYCLES alone; at EL1 and at vEL2.  $KPF_ENCODINGS values per VM and
 * EL (default 128); scripts/soak-encodings.sh runs thousands.
 */
#include <stdlib.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_encoding.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_seed.h"
#include "test_util.h"
#include "ucall.h"

#define BATCH		64
#define ITERS		1000
#define EXCLUDED_MAX	(ITERS / 4)	/* the way in and out of an EL0 loop */

enum path { DIRECT, SELECTED, CCFILTR, SELECTED_31, NR_PATHS };

/* The ways of writing an event type, as checks group them. */
enum group { GROUP_PMEVTYPER, GROUP_PMXEVTYPER, GROUP_PMCCFILTR, NR_GROUPS };

static const enum group group_of[NR_PATHS] = {
	[DIRECT] = GROUP_PMEVTYPER, [SELECTED] = GROUP_PMXEVTYPER,
	[CCFILTR] = GROUP_PMCCFILTR, [SELECTED_31] = GROUP_PMXEVTYPER,
};

static const char *const group_names[NR_GROUPS] = {
	[GROUP_PMEVTYPER] = "PMEVTYPER<n>_EL0",
	[GROUP_PMXEVTYPER] = "PMXEVTYPER_EL0 through PMSELR_EL0",
	[GROUP_PMCCFILTR] = "PMCCFILTR_EL0",
};

/* Host to guest: what to write, how, to which counter. */
struct probe {
	uint64_t val;
	uint32_t path, idx;
};

/* Guest to host. */
struct outcome {
	uint64_t readback;
	uint64_t at_el;		/* the counter over a loop at the guest's EL */
	uint64_t at_el0;	/* and over one at EL0 */
};

static struct probe probes[BATCH];
static struct outcome outcomes[BATCH];
static volatile uint64_t undefs;

static void skip_undef(struct ex_regs *regs)
{
	undefs++;
	regs->pc += 4;
}

static uint64_t el0_loop(uint64_t iters)
{
	pmu_workload(iters);
	return 0;
}

static void write_selected(unsigned int sel, uint64_t val)
{
	write_sysreg(sel, pmselr_el0);
	isb();
	write_sysreg(val, pmxevtyper_el0);
	isb();
}

static uint64_t read_selected(unsigned int sel)
{
	write_sysreg(sel, pmselr_el0);
	isb();
	return read_sysreg(pmxevtyper_el0);
}

static void guest_probe(const struct probe *p, struct outcome *o)
{
	unsigned int ctr = p->path == CCFILTR || p->path == SELECTED_31 ? PMU_CYCLE_IDX : p->idx;

	switch (p->path) {
	case DIRECT:
	case CCFILTR:
		pmu_write_evtyper(ctr, p->val);
		o->readback = pmu_read_evtyper(ctr);
		break;
	default:
		write_selected(ctr, p->val);
		o->readback = read_selected(ctr);
		break;
	}
	pmu_write_counter(ctr, 0);
	pmu_enable_counters(BIT(ctr));
	pmu_start();
	pmu_workload(ITERS);
	o->at_el = pmu_read_counter(ctr);
	guest_call_el0(el0_loop, ITERS);
	o->at_el0 = pmu_read_counter(ctr) - o->at_el;
	pmu_stop();
	pmu_disable_counters(BIT(ctr));
}

enum step { OUT_OF_RANGE, BATCH_READY };

/*
 * Counters n >= N don't exist: writes through PMSELR_EL0 = n or to
 * PMEVTYPER<n>_EL0 reach none of the counters the guest has.  They hold
 * SW_INCR (which counts only PMSWINC_EL0 writes) and must keep it.
 */
static void guest_out_of_range(uint64_t incl)
{
	unsigned int n = pmu_nr_counters();
	uint64_t changed = 0, counted = 0;

	guest_step("write event types of counters the guest doesn't have");
	pmu_reset();
	for (unsigned int c = 0; c < n; c++)
		pmu_write_evtyper(c, PMU_EV_SW_INCR | incl);
	pmu_enable_counters(BIT(n) - 1);
	undefs = 0;
	for (unsigned int c = n; c < PMU_CYCLE_IDX; c++) {
		write_selected(c, PMU_EV_CPU_CYCLES | incl);
		pmu_write_evtyper(c, PMU_EV_INST_RETIRED | incl);
	}
	pmu_start();
	pmu_workload(ITERS);
	pmu_stop();
	for (unsigned int c = 0; c < n; c++) {
		changed |= (pmu_read_evtyper(c) != (PMU_EV_SW_INCR | incl)) << c;
		counted += pmu_read_counter(c);
	}
	pmu_reset();
	GUEST_SYNC(OUT_OF_RANGE, undefs, changed, counted, n);
}

/* @el: where the vCPU starts, which its EL bits must include. */
static void guest_code(uint64_t el)
{
	GUEST_ASSERT_EQ(current_el(), el);
	guest_install_sync_handler(0, skip_undef);
	guest_out_of_range(el == 2 ? PMEVTYPER_NSH : 0);
	guest_step("write each probe's value, read it back, count loops");
	pmu_reset();
	for (uint64_t b = 0;; b++) {
		/* The host reads the last batch's outcomes and writes the next probes. */
		GUEST_SYNC(BATCH_READY, b);
		for (unsigned int i = 0; i < BATCH; i++)
			guest_probe(&probes[i], &outcomes[i]);
	}
}

struct tally {
	unsigned int n, bad;
	char first[UCALL_TEXT_LEN];	/* the first value that disagreed */
};

enum verdict { READBACK, DENIED, ALLOWED, NR_VERDICTS };

struct place {
	const char *name;
	enum guest_el el;
};

struct judge {
	const struct place *place;
	const struct filter_vm *fv;
	struct pmu_features f;
	uint64_t seed;			/* of the run, for the reproducer */
	struct tally t[NR_GROUPS][NR_VERDICTS];
};

static const struct filter_vm vms[] = {
	{ "no filter", { }, 0 },
	{ "DENY INST_RETIRED to CPU_CYCLES", PMU_FILTER_RANGE(PMU_EV_INST_RETIRED, 10, DENY), 1 },
	{ "ALLOW CPU_CYCLES alone", PMU_FILTER_RANGE(PMU_EV_CPU_CYCLES, 1, ALLOW), 1 },
};

static void tally(struct judge *j, enum group g, enum verdict v, bool ok, unsigned int i,
		  const struct probe *p, const struct outcome *o, const char *model)
{
	struct tally *t = &j->t[g][v];

	t->n++;
	if (ok || t->bad++)
		return;
	snprintf(t->first, sizeof(t->first),
		 "value #%u %#lx via %s, counter %u: read %#lx, %lu at EL%d, %lu at EL0 (%s)",
		 i, p->val, group_names[g], p->path >= CCFILTR ? PMU_CYCLE_IDX : p->idx,
		 o->readback, o->at_el, j->place->el, o->at_el0, model);
}

/* At least the loop: one cycle and two instructions an iteration. */
static uint64_t loop_min(unsigned int event)
{
	return event == PMU_EV_INST_RETIRED ? 2 * ITERS : ITERS;
}

static bool count_fits(uint64_t d, bool included, unsigned int event)
{
	return included ? d >= loop_min(event) : d < EXCLUDED_MAX;
}

static void judge_probe(struct judge *j, unsigned int i, const struct probe *p,
			const struct outcome *o)
{
	bool cc = p->path == CCFILTR || p->path == SELECTED_31;
	unsigned int e = evtyper_event(&j->f, p->val, cc), el = j->place->el;
	bool allowed = pmu_filter_counts(&j->fv->range, j->fv->nr, e);
	bool inc = evtyper_counts_at(&j->f, p->val, el), inc0 = evtyper_counts_at(&j->f, p->val, 0);
	/* SW_INCR and CHAIN, never filtered, count nothing here: no PMSWINC, no overflow. */
	bool emulated = e == PMU_EV_SW_INCR || e == PMU_EV_CHAIN;
	bool known = (e == PMU_EV_CPU_CYCLES || e == PMU_EV_INST_RETIRED) && platform_counts(e, el);
	enum group g = group_of[p->path];
	char model[96];

	snprintf(model, sizeof(model), "model: event %#x %s, EL%u %s, EL0 %s", e,
		 allowed ? "allowed" : "denied", el, inc ? "counted" : "excluded",
		 inc0 ? "counted" : "excluded");
	tally(j, g, READBACK, evtyper_readback_ok(&j->f, p->val, o->readback, cc), i, p, o, model);
	if (!allowed && !emulated)
		tally(j, g, DENIED, !o->at_el && !o->at_el0, i, p, o, model);
	else if (known)
		tally(j, g, ALLOWED, count_fits(o->at_el, inc, e) && count_fits(o->at_el0, inc0, e),
		      i, p, o, model);
	else if (emulated || platform_counts_nothing_else())
		tally(j, g, ALLOWED, !o->at_el && !o->at_el0, i, p, o, model);
}

static struct pmu_features vcpu_features(struct vcpu *vcpu)
{
	uint64_t pfr0 = vcpu_get_reg(vcpu, ID_ID_AA64PFR0_EL1);

	return (struct pmu_features){
		.pmuver = (vcpu_get_reg(vcpu, ID_ID_AA64DFR0_EL1) >> DFR0_PMUVER_SHIFT) &
			  DFR0_PMUVER_MASK,
		.el2 = (pfr0 >> PFR0_EL2_SHIFT) & 0xf,
		.el3 = (pfr0 >> PFR0_EL3_SHIFT) & 0xf,
	};
}

static unsigned int nr_values(void)
{
	const char *s = getenv("KPF_ENCODINGS");
	unsigned long n = s ? strtoul(s, NULL, 0) : 0;

	return n ? n : 2 * BATCH;
}

/* Runs the values of @seed through @fv's VM at @place; false with @why if the guest failed. */
static bool run_vm(struct judge *j, uint64_t seed, char *why, size_t len, uint64_t oor[4])
{
	struct pmu_vm_config cfg = { .el = j->place->el, .filters = &j->fv->range,
				     .nr_filters = j->fv->nr, .code = guest_code,
				     .arg = j->place->el };
	struct vm *vm = pmu_vm_create(&cfg);
	unsigned int total = nr_values(), done = 0, n;
	bool ok = true;
	struct ucall uc;

	j->f = vcpu_features(vm->vcpus[0]);
	j->seed = seed;
	ok = vcpu_run_step(vm->vcpus[0], OUT_OF_RANGE, &uc, why, len);
	for (unsigned int i = 0; ok && i < 4; i++)
		oor[i] = uc.args[1 + i];
	n = uc.args[4];
	for (uint64_t b = 0; ok; b++) {
		ok = vcpu_run_step(vm->vcpus[0], BATCH_READY, &uc, why, len);
		if (!ok)
			break;
		if (b) {
			sync_global_from_guest(vm, outcomes);
			for (unsigned int i = 0; i < BATCH && done < total; i++, done++)
				judge_probe(j, done, &probes[i], &outcomes[i]);
		}
		if (done >= total)
			break;
		for (unsigned int i = 0; i < BATCH; i++) {
			uint64_t r = random_next(&seed);

			probes[i].val = evtyper_random(&j->f, &seed);
			probes[i].path = r % NR_PATHS;
			probes[i].idx = (r >> 8) % n;
		}
		sync_global_to_guest(vm, probes);
	}
	vm_free(vm);
	return ok;
}

static const char *const verdict_said[NR_VERDICTS] = {
	[READBACK] = "every read-back is architectural",
	[DENIED] = "a denied event never counts",
	[ALLOWED] = "an allowed event counts exactly where its encoding asks",
};

/*
 * Whether verdict @v can come up in @fv's VM for group @g: nothing is
 * denied without a filter (that VM is the others' control), and
 * PMCCFILTR_EL0 always asks for CPU_CYCLES.
 */
static bool verdict_applies(const struct filter_vm *fv, enum group g, enum verdict v)
{
	bool cycles = pmu_filter_counts(&fv->range, fv->nr, PMU_EV_CPU_CYCLES);

	if (v == DENIED)
		return fv->nr && (g != GROUP_PMCCFILTR || !cycles);
	if (v == ALLOWED)
		return g != GROUP_PMCCFILTR || cycles;
	return true;
}

static unsigned int checks_per_vm(const struct filter_vm *fv)
{
	unsigned int n = 1;	/* counters the guest hasn't */

	for (unsigned int g = 0; g < NR_GROUPS; g++)
		for (unsigned int v = 0; v < NR_VERDICTS; v++)
			n += verdict_applies(fv, g, v);
	return n;
}

static void report(const struct judge *j, bool control)
{
	for (unsigned int g = 0; g < NR_GROUPS; g++)
		for (unsigned int v = 0; v < NR_VERDICTS; v++) {
			const struct tally *t = &j->t[g][v];

			if (!verdict_applies(j->fv, g, v))
				continue;
			if (v == DENIED && !control)
				ktap_skip("this platform counts neither CPU_CYCLES nor INST_RETIRED",
					  "%s, %s: %s: %s", j->place->name, j->fv->name,
					  group_names[g], verdict_said[v]);
			else if (!t->n)
				ktap_skip("no generated value fell here (raise KPF_ENCODINGS)",
					  "%s, %s: %s: %s", j->place->name, j->fv->name,
					  group_names[g], verdict_said[v]);
			else
				ktap_check(!t->bad, "%s, %s: %s: %s (%u values, %u disagree%s%s)",
					   j->place->name, j->fv->name, group_names[g],
					   verdict_said[v], t->n, t->bad, t->bad ? "; first: " : "",
					   t->first);
		}
}

int main(int argc, char **argv)
{
	static const struct place places[] = { { "EL1", GUEST_EL1 }, { "vEL2", GUEST_EL2 } };
	uint64_t seed = test_seed(argc, argv), oor[4];
	unsigned int plan = 0;
	char why[UCALL_TEXT_LEN];

	pmu_vm_require(GUEST_EL1);
	for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++)
		plan += checks_per_vm(&vms[v]);
	ktap_start(ARRAY_SIZE(places) * plan);
	for (unsigned int p = 0; p < ARRAY_SIZE(places); p++) {
		enum guest_el el = places[p].el;
		bool control = platform_counts(PMU_EV_CPU_CYCLES, el) ||
			       platform_counts(PMU_EV_INST_RETIRED, el);

		for (unsigned int v = 0; v < ARRAY_SIZE(vms); v++) {
			static struct judge j;

			if (el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2)) {
				ktap_skip_n(checks_per_vm(&vms[v]), "KVM_CAP_ARM_EL2 is 0",
					    "vEL2, %s: encodings", vms[v].name);
				continue;
			}
			j = (struct judge){ .place = &places[p], .fv = &vms[v] };
			if (!run_vm(&j, seed, why, sizeof(why), oor)) {
				ktap_fail_n(checks_per_vm(&vms[v]), "%s, %s: guest failed: %s",
					    places[p].name, vms[v].name, why);
				continue;
			}
			ktap_check(!oor[1] && !oor[2],
				   "%s, %s: event type writes to counters %lu..30, which the guest hasn't, reach none it has (%lu UNDEF, counters changed %#lx, %lu counted)",
				   places[p].name, vms[v].name, oor[3], oor[0], oor[1], oor[2]);
			report(&j, control);
		}
	}
	ktap_finish();
}
