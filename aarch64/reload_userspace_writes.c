// SPDX-License-Identifier: GPL-2.0
/*
 * reload_userspace_writes: after userspace rewrites PMU registers of a vCPU
 * that has run with its counters enabled (KVM_SET_ONE_REG between two
 * KVM_RUNs), the guest sees counters that count exactly what their
 * registers now say, and never a blocked event.
 *
 * The guest programs event counter 0 (CPU_CYCLES) and the cycle counter
 * once, then only measures: each round reports both counters before and
 * after a loop.  Each scenario is a fresh VM: round 0 runs before any
 * write (the scenario's own positive control, and what makes the vCPU one
 * that has run); userspace writes before rounds 1 and 2.  Scenarios: event
 * type (PMEVTYPER0, PMCCFILTR), enables (PMCNTENSET, PMCR_EL0.E), counter
 * values, and combinations of them.  At virtual EL2 the loop runs at vEL2,
 * the counters include EL2 (NSH), and each round also makes a vEL2<->vEL1
 * round trip.  VMs: no filter, DENY CPU_CYCLES, DENY INST_RETIRED.
 *
 * Known bugs are narrow claims here: a failed check is an expected failure
 * only if the counter did exactly what the finding's model of KVM's perf
 * events predicts (stale_model()), and each scenario starts from a VM no
 * earlier write has touched.
 */
#include <string.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS		5000
#define PRESET		5000
#define CTR		0
#define EN_BOTH		(BIT(CTR) | BIT(PMU_CYCLE_IDX))
#define ROUNDS		3
#define NR_COUNTERS	2	/* counter 0, the cycle counter */

static uint64_t nested_nop(uint64_t x)
{
	return x;
}

/* @incl: the filter bits that make a counter count where this guest runs. */
static void guest_code(uint64_t incl)
{
	guest_step("program counter 0 and the cycle counter, once");
	pmu_reset();
	pmu_write_evtyper(CTR, PMU_EV_CPU_CYCLES | incl);
	pmu_write_evtyper(PMU_CYCLE_IDX, incl);
	pmu_enable_counters(EN_BOTH);
	pmu_start();
	for (uint64_t r = 0;; r++) {
		uint64_t c0 = pmu_read_counter(CTR), cc = pmu_read_counter(PMU_CYCLE_IDX);

		guest_step("count a loop with the registers userspace left");
		if (current_el() == 2)
			guest_call_el1(nested_nop, 0);
		pmu_workload(ITERS);
		GUEST_SYNC(r, c0, pmu_read_counter(CTR), cc, pmu_read_counter(PMU_CYCLE_IDX));
	}
}

/* One KVM_SET_ONE_REG write, as a scenario names it. */
enum write {
	W_NONE,
	W_TYPE_INST,		/* PMEVTYPER0 := INST_RETIRED */
	W_TYPE_CYCLES,		/* PMEVTYPER0 := CPU_CYCLES */
	W_CCFILTR_EXCL,		/* PMCCFILTR := this EL excluded */
	W_CCFILTR_INCL,		/* PMCCFILTR := this EL included */
	W_CNTEN_NONE,		/* PMCNTENSET := 0 */
	W_CNTEN_BOTH,		/* PMCNTENSET := both counters */
	W_E_OFF,		/* PMCR_EL0.E := 0 */
	W_E_ON,			/* PMCR_EL0.E := 1 */
	W_VALUES,		/* PMEVCNTR0, PMCCNTR := PRESET */
};

#define MAX_WRITES	2

struct scenario {
	const char *name;
	/* The writes before rounds 1 and 2, in order. */
	enum write writes[ROUNDS - 1][MAX_WRITES];
	const char *said[ROUNDS - 1];
};

static const struct scenario scenarios[] = {
	{ "event type", { { W_TYPE_INST }, { W_TYPE_CYCLES } },
	  { "PMEVTYPER0 := INST_RETIRED", "PMEVTYPER0 := CPU_CYCLES" } },
	{ "cycle counter filter", { { W_CCFILTR_EXCL }, { W_CCFILTR_INCL } },
	  { "PMCCFILTR := this EL excluded", "PMCCFILTR := this EL included" } },
	{ "counter enables", { { W_CNTEN_NONE }, { W_CNTEN_BOTH } },
	  { "PMCNTENSET := 0", "PMCNTENSET := both" } },
	{ "global enable", { { W_E_OFF }, { W_E_ON } },
	  { "PMCR_EL0.E := 0", "PMCR_EL0.E := 1" } },
	{ "counter values", { { W_VALUES }, { } },
	  { "PMEVCNTR0, PMCCNTR := 5000", "no write" } },
	{ "values while disabled", { { W_CNTEN_NONE, W_VALUES }, { W_CNTEN_BOTH } },
	  { "PMCNTENSET := 0, PMEVCNTR0, PMCCNTR := 5000", "PMCNTENSET := both" } },
	{ "event type while stopped", { { W_E_OFF, W_TYPE_INST }, { W_E_ON } },
	  { "PMCR_EL0.E := 0, PMEVTYPER0 := INST_RETIRED", "PMCR_EL0.E := 1" } },
};
#define NR_SCENARIOS	ARRAY_SIZE(scenarios)

/* What a counter's registers say. */
struct counter_regs {
	unsigned int event;
	bool incl;		/* its EL bits include where the loop runs */
};

struct regs {
	struct counter_regs c[NR_COUNTERS];
	bool en, e;		/* PMCNTENSET (both), PMCR_EL0.E */
};

/*
 * KVM's perf event behind a counter, as a finding models it: none (never
 * created, released, or the filter denied it), or one created from the
 * registers of that moment.
 */
struct perf_model {
	bool live;
	struct counter_regs at;
};

/*
 * The findings whose models a failed check is compared with:
 *  - evtyper-write-not-applied (finding 4, every kernel so far): userspace
 *    writes of PMEVTYPER/PMCCFILTR reach only the register; the event is
 *    re-created from the registers only where KVM releases it (a counter
 *    value write) or where there was none, when a reload (any other PMU
 *    register write) finds the counter enabled, and at a vEL2<->vEL1
 *    transition for an enabled counter whose registers count at EL1 and
 *    EL2 differently (kvm_pmu_nested_transition()).
 *  - pmreg-write-not-applied (finding 5, before 6.15): no userspace write
 *    reaches the perf events, which count as the guest left them.
 */
enum model {
	MODEL_ARCH,		/* what the registers say: the check itself */
	MODEL_EVTYPER_STALE,
	MODEL_PMREG_STALE,
	NR_MODELS,
};

static const char *const model_ids[NR_MODELS] = {
	[MODEL_EVTYPER_STALE] = "evtyper-write-not-applied",
	[MODEL_PMREG_STALE] = "pmreg-write-not-applied",
};

struct vm_model {
	struct regs regs;
	struct perf_model ev[NR_MODELS][NR_COUNTERS];
	bool preset[NR_COUNTERS];	/* the round starts from PRESET */
};

static bool event_allowed(const struct filter_vm *fv, unsigned int c, const struct counter_regs *cr)
{
	return pmu_filter_counts(&fv->range, fv->nr, c ? PMU_EV_CPU_CYCLES : cr->event);
}

/* kvm_pmu_create_perf_event(): none for a denied event. */
static void perf_create(struct perf_model *ev, const struct filter_vm *fv, unsigned int c,
			const struct regs *r)
{
	ev->live = event_allowed(fv, c, &r->c[c]);
	ev->at = r->c[c];
}

/* KVM_REQ_RELOAD_PMU: an enabled counter without an event gets one. */
static void perf_reload(struct perf_model *ev, const struct filter_vm *fv, unsigned int c,
			const struct regs *r)
{
	if (r->en && r->e && !ev->live)
		perf_create(ev, fv, c, r);
}

static void apply(struct vcpu *vcpu, enum write w, const struct filter_vm *fv,
		  uint64_t incl, uint64_t excl, struct vm_model *m)
{
	struct regs *r = &m->regs;
	uint64_t pmcr;

	switch (w) {
	case W_NONE:
		return;
	case W_TYPE_INST:
	case W_TYPE_CYCLES:
		r->c[0].event = w == W_TYPE_INST ? PMU_EV_INST_RETIRED : PMU_EV_CPU_CYCLES;
		vcpu_set_reg(vcpu, ID_PMEVTYPER_EL0(CTR), r->c[0].event | incl);
		break;
	case W_CCFILTR_EXCL:
	case W_CCFILTR_INCL:
		r->c[1].incl = w == W_CCFILTR_INCL;
		vcpu_set_reg(vcpu, ID_PMCCFILTR_EL0, r->c[1].incl ? incl : excl);
		break;
	case W_CNTEN_NONE:
	case W_CNTEN_BOTH:
		r->en = w == W_CNTEN_BOTH;
		vcpu_set_reg(vcpu, ID_PMCNTENSET_EL0, r->en ? EN_BOTH : 0);
		break;
	case W_E_OFF:
	case W_E_ON:
		r->e = w == W_E_ON;
		pmcr = vcpu_get_reg(vcpu, ID_PMCR_EL0);
		vcpu_set_reg(vcpu, ID_PMCR_EL0, r->e ? pmcr | PMCR_E : pmcr & ~PMCR_E);
		break;
	case W_VALUES:
		vcpu_set_reg(vcpu, ID_PMEVCNTR_EL0(CTR), PRESET);
		vcpu_set_reg(vcpu, ID_PMCCNTR_EL0, PRESET);
		m->preset[0] = m->preset[1] = true;
		/* kvm_pmu_set_counter_value_user() releases the event. */
		m->ev[MODEL_EVTYPER_STALE][0].live = false;
		m->ev[MODEL_EVTYPER_STALE][1].live = false;
		break;
	}
	/* Every write but an event type's requests a reload. */
	if (w != W_TYPE_INST && w != W_TYPE_CYCLES && w != W_CCFILTR_EXCL && w != W_CCFILTR_INCL)
		for (unsigned int c = 0; c < NR_COUNTERS; c++)
			perf_reload(&m->ev[MODEL_EVTYPER_STALE][c], fv, c, r);
}

/* A vEL2<->vEL1 round trip: events of counters that tell EL1 from EL2 are made anew. */
static void perf_nested_transition(struct perf_model *ev, const struct filter_vm *fv,
				   unsigned int c, const struct regs *r)
{
	/* The guest's counters count at EL1 (P=0); at EL2 only where incl (NSH). */
	if (r->en && !r->c[c].incl)
		perf_create(ev, fv, c, r);
}

enum expect { COUNTS, EXCLUDED, STOPPED, DENIED };

/* What counter @c does over a round under model @md. */
static enum expect model_expect(const struct vm_model *m, enum model md, const struct filter_vm *fv,
				unsigned int c)
{
	const struct regs *r = &m->regs;
	const struct perf_model *ev = &m->ev[md][c];

	if (md == MODEL_ARCH) {
		if (!event_allowed(fv, c, &r->c[c]))
			return DENIED;
		if (!r->en || !r->e)
			return STOPPED;
		return r->c[c].incl ? COUNTS : EXCLUDED;
	}
	/* The stale event: enabled by the registers or, unreached by writes, as the guest left it. */
	if (md == MODEL_EVTYPER_STALE && (!r->en || !r->e))
		return STOPPED;
	if (!ev->live)
		return DENIED;
	return ev->at.incl ? COUNTS : EXCLUDED;
}

/*
 * Whether a round's observation fits @e: counting is at least the loop,
 * an excluded EL may still see the round trip's other context, stopped
 * and denied counters don't move.  A counter that starts from PRESET
 * starts there (the round's first read follows the write within a few
 * instructions).
 */
static bool observed_fits(enum expect e, bool preset, uint64_t start, uint64_t end)
{
	uint64_t d = end - start;

	if (preset && (start < PRESET || start >= PRESET + ITERS / 2))
		return false;
	switch (e) {
	case COUNTS:
		return d >= ITERS;
	case EXCLUDED:
		return d < ITERS / 2;
	default:
		return d == 0;
	}
}

/* On a finding 5 kernel a written value never reaches the event: the counter doesn't start there. */
static bool pmreg_stale_fits(const struct vm_model *m, const struct filter_vm *fv, unsigned int c,
			     uint64_t start, uint64_t end)
{
	enum expect e = model_expect(m, MODEL_PMREG_STALE, fv, c);

	return observed_fits(e, false, start, end) &&
	       (!m->preset[c] || !observed_fits(e, true, start, end));
}

struct round_obs {
	uint64_t start[NR_COUNTERS], end[NR_COUNTERS];
	struct vm_model model;		/* registers and events as the round ran */
};

struct run {
	struct guest_run run;
	struct round_obs round[ROUNDS];
};

static void run_scenario(const struct filter_vm *fv, enum guest_el el, const struct scenario *s,
			 struct run *out)
{
	uint64_t incl = el == GUEST_EL2 ? PMEVTYPER_NSH : 0;
	uint64_t excl = el == GUEST_EL2 ? 0 : PMEVTYPER_P;
	struct pmu_vm_config cfg = { .el = el, .filters = &fv->range, .nr_filters = fv->nr,
				     .code = guest_code, .arg = incl };
	struct vm *vm = pmu_vm_create(&cfg);
	struct vm_model m = { .regs = { { { PMU_EV_CPU_CYCLES, true }, { PMU_EV_CPU_CYCLES, true } },
					true, true } };
	struct ucall uc;

	/* The guest programmed both counters, enabled: each model's events follow. */
	for (unsigned int md = MODEL_EVTYPER_STALE; md < NR_MODELS; md++)
		for (unsigned int c = 0; c < NR_COUNTERS; c++)
			perf_create(&m.ev[md][c], fv, c, &m.regs);
	guest_run_start(&out->run);
	for (unsigned int i = 0; out->run.ok && i < ROUNDS; i++) {
		m.preset[0] = m.preset[1] = false;
		for (unsigned int w = 0; i && w < MAX_WRITES; w++)
			apply(vm->vcpus[0], s->writes[i - 1][w], fv, incl, excl, &m);
		for (unsigned int c = 0; el == GUEST_EL2 && c < NR_COUNTERS; c++)
			perf_nested_transition(&m.ev[MODEL_EVTYPER_STALE][c], fv, c, &m.regs);
		out->round[i].model = m;
		if (!guest_run_step(&out->run, vm->vcpus[0], i, &uc))
			break;
		out->round[i].start[0] = uc.args[1];
		out->round[i].end[0] = uc.args[2];
		out->round[i].start[1] = uc.args[3];
		out->round[i].end[1] = uc.args[4];
	}
	vm_free(vm);
}

static const char *const expect_said[] = {
	[COUNTS] = "counts",
	[EXCLUDED] = "doesn't count, its EL excluded",
	[STOPPED] = "doesn't count, disabled",
	[DENIED] = "never counts, event denied",
};

struct place {
	const char *name;
	enum guest_el el;
};

static void check_counter(const struct place *p, const struct filter_vm *fv, const struct scenario *s,
			  const struct run *run, unsigned int i, unsigned int c)
{
	const struct round_obs *o = &run->round[i];
	const struct vm_model *m = &o->model;
	enum expect e = model_expect(m, MODEL_ARCH, fv, c);
	unsigned int event = c ? PMU_EV_CPU_CYCLES : m->regs.c[0].event;
	uint64_t start = o->start[c], end = o->end[c];
	const char *cn = c ? "cycle counter" : event == PMU_EV_CPU_CYCLES ?
			 "counter 0 (CPU_CYCLES)" : "counter 0 (INST_RETIRED)";
	const char *after = i ? s->said[i - 1] : "before any write";
	enum model md = NR_MODELS;
	bool ok;

	if (!run->run.ok) {
		ktap_fail("%s, %s, %s: %s: %s: guest failed: %s", p->name, fv->name, s->name, after,
			  cn, run->run.why);
		return;
	}
	if (!platform_counts(event, p->el)) {
		ktap_skip("this platform doesn't count it", "%s, %s, %s: %s: %s", p->name, fv->name,
			  s->name, after, cn);
		return;
	}
	ok = observed_fits(e, m->preset[c], start, end);
	/* A failure is known only as the model of a finding predicts it. */
	if (!ok && observed_fits(model_expect(m, MODEL_EVTYPER_STALE, fv, c), m->preset[c], start, end))
		md = MODEL_EVTYPER_STALE;
	else if (!ok && pmreg_stale_fits(m, fv, c, start, end))
		md = MODEL_PMREG_STALE;
	if (!i)
		ktap_check(ok, "%s, %s, %s: %s: %s %s (%lu)", p->name, fv->name, s->name, after, cn,
			   expect_said[e], end - start);
	else if (m->preset[c])
		ktap_check_known(md < NR_MODELS ? model_ids[md] : "userspace-write",
				 ok, md < NR_MODELS,
				 "%s, %s, %s: after %s: %s starts at the value written and %s (%lu, +%lu)",
				 p->name, fv->name, s->name, after, cn, expect_said[e], start, end - start);
	else
		ktap_check_known(md < NR_MODELS ? model_ids[md] : "userspace-write",
				 ok, md < NR_MODELS,
				 "%s, %s, %s: after %s: %s %s (%lu)", p->name, fv->name, s->name, after,
				 cn, expect_said[e], end - start);
}

static const struct place places[] = {
	{ "EL1", GUEST_EL1 }, { "vEL2", GUEST_EL2 },
};

int main(void)
{
	const unsigned int per_run = ROUNDS * NR_COUNTERS;
	const unsigned int per_place = NR_DENY_ONE_VMS * NR_SCENARIOS * per_run;
	struct run run;

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(places) * per_place);
	for (unsigned int p = 0; p < ARRAY_SIZE(places); p++) {
		if (places[p].el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2)) {
			ktap_skip_n(per_place, "KVM_CAP_ARM_EL2 is 0", "vEL2: userspace writes");
			continue;
		}
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			for (unsigned int s = 0; s < NR_SCENARIOS; s++) {
				run_scenario(&deny_one_vms[v], places[p].el, &scenarios[s], &run);
				for (unsigned int i = 0; i < ROUNDS; i++)
					for (unsigned int c = 0; c < NR_COUNTERS; c++)
						check_counter(&places[p], &deny_one_vms[v],
							      &scenarios[s], &run, i, c);
			}
	}
	ktap_finish();
}
