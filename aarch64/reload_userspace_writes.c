// SPDX-License-Identifier: GPL-2.0
/*
 * reload_userspace_writes: after userspace rewrites PMU registers of a vCPU
 * that has run with its counters enabled (KVM_SET_ONE_REG between two
 * KVM_RUNs), the guest sees counters that count exactly what their
 * registers now say, and never a blocked event.
 *
 * The guest programs event counter 0 and the cycle counter once, then only
 * measures: each round reports how far both moved over a loop.  Between
 * rounds the host rewrites PMEVTYPER0 (allowed to denied and back),
 * PMCCFILTR (its EL bits), PMCNTENSET, PMCR_EL0.E, and the counter values.
 * What each round must count follows from the registers and the filter
 * model.  At virtual EL2 the loop runs at vEL2, the counters include EL2
 * (NSH), and each round also makes a vEL2<->vEL1 round trip.  VMs: no
 * filter (the positive control), DENY INST_RETIRED, DENY CPU_CYCLES.
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
		GUEST_SYNC(r, pmu_read_counter(CTR) - c0, pmu_read_counter(PMU_CYCLE_IDX) - cc,
			   pmu_read_counter(CTR), pmu_read_counter(PMU_CYCLE_IDX));
	}
}

/* What userspace writes before a round; the registers' state after it. */
struct round {
	const char *what;
	uint64_t id;		/* 0: no write */
	enum { V_EV_CYCLES, V_EV_INST, V_INCL, V_EXCL, V_EN_NONE, V_EN_BOTH,
	       V_E_OFF, V_E_ON, V_PRESET } val;
};

static const struct round rounds[] = {
	{ "no write", 0, 0 },
	{ "PMEVTYPER0 := INST_RETIRED", ID_PMEVTYPER_EL0(CTR), V_EV_INST },
	{ "PMEVTYPER0 := CPU_CYCLES", ID_PMEVTYPER_EL0(CTR), V_EV_CYCLES },
	{ "PMCCFILTR := this EL excluded", ID_PMCCFILTR_EL0, V_EXCL },
	{ "PMCCFILTR := this EL included", ID_PMCCFILTR_EL0, V_INCL },
	{ "PMCNTENSET := 0", ID_PMCNTENSET_EL0, V_EN_NONE },
	{ "PMCNTENSET := both", ID_PMCNTENSET_EL0, V_EN_BOTH },
	{ "PMCR_EL0.E := 0", ID_PMCR_EL0, V_E_OFF },
	{ "PMCR_EL0.E := 1", ID_PMCR_EL0, V_E_ON },
	{ "PMEVTYPER0 := INST_RETIRED", ID_PMEVTYPER_EL0(CTR), V_EV_INST },
	{ "PMEVCNTR0, PMCCNTR := 5000", ID_PMEVCNTR_EL0(CTR), V_PRESET },
};
#define NR_ROUNDS	ARRAY_SIZE(rounds)

struct regs_model {
	unsigned int ev0;
	bool cc_incl, en, e;
};

static void apply(struct vcpu *vcpu, const struct round *rd, uint64_t incl, uint64_t excl,
		  struct regs_model *m)
{
	uint64_t pmcr;

	switch (rd->val) {
	case V_EV_CYCLES:
	case V_EV_INST:
		m->ev0 = rd->val == V_EV_INST ? PMU_EV_INST_RETIRED : PMU_EV_CPU_CYCLES;
		vcpu_set_reg(vcpu, rd->id, m->ev0 | incl);
		break;
	case V_INCL:
	case V_EXCL:
		m->cc_incl = rd->val == V_INCL;
		vcpu_set_reg(vcpu, rd->id, m->cc_incl ? incl : excl);
		break;
	case V_EN_NONE:
	case V_EN_BOTH:
		/* Writes to PMCNTENSET set bits: clear through PMCNTENCLR's view too. */
		m->en = rd->val == V_EN_BOTH;
		vcpu_set_reg(vcpu, rd->id, m->en ? EN_BOTH : 0);
		break;
	case V_E_OFF:
	case V_E_ON:
		m->e = rd->val == V_E_ON;
		pmcr = vcpu_get_reg(vcpu, ID_PMCR_EL0);
		vcpu_set_reg(vcpu, rd->id, m->e ? pmcr | PMCR_E : pmcr & ~PMCR_E);
		break;
	case V_PRESET:
		vcpu_set_reg(vcpu, ID_PMEVCNTR_EL0(CTR), PRESET);
		vcpu_set_reg(vcpu, ID_PMCCNTR_EL0, PRESET);
		break;
	}
}

struct run {
	bool ran;
	uint64_t d0[NR_ROUNDS], dcc[NR_ROUNDS], v0[NR_ROUNDS], vcc[NR_ROUNDS];
	struct regs_model m[NR_ROUNDS];
	char why[UCALL_TEXT_LEN];
};

static void run_vm(const struct filter_vm *fv, enum guest_el el, struct run *r)
{
	uint64_t incl = el == GUEST_EL2 ? PMEVTYPER_NSH : 0;
	uint64_t excl = el == GUEST_EL2 ? 0 : PMEVTYPER_P;
	struct pmu_vm_config cfg = { .el = el, .filters = &fv->range, .nr_filters = fv->nr,
				     .code = guest_code, .arg = incl };
	struct vm *vm = pmu_vm_create(&cfg);
	struct regs_model m = { PMU_EV_CPU_CYCLES, true, true, true };
	struct ucall uc;

	r->ran = true;
	for (unsigned int i = 0; r->ran && i < NR_ROUNDS; i++) {
		/* The first round runs before any write: the vCPU has run. */
		if (rounds[i].id)
			apply(vm->vcpus[0], &rounds[i], incl, excl, &m);
		r->m[i] = m;
		r->ran = vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC && uc.args[0] == i;
		r->d0[i] = uc.args[1];
		r->dcc[i] = uc.args[2];
		r->v0[i] = uc.args[3];
		r->vcc[i] = uc.args[4];
	}
	snprintf(r->why, sizeof(r->why), "%s", uc.text);
	vm_free(vm);
}

/* Whether userspace has written the event type register of that counter by round @i. */
static bool type_written(unsigned int i, bool cycle_ctr)
{
	for (unsigned int j = 0; j <= i; j++)
		if (rounds[j].id == (cycle_ctr ? ID_PMCCFILTR_EL0 : ID_PMEVTYPER_EL0(CTR)))
			return true;
	return false;
}

static void check_counter(const char *where, enum guest_el el, const struct filter_vm *fv,
			  const struct run *r, unsigned int i, bool cycle_ctr)
{
	const struct regs_model *m = &r->m[i];
	unsigned int ev = cycle_ctr ? PMU_EV_CPU_CYCLES : m->ev0;
	bool allowed = pmu_filter_counts(&fv->range, fv->nr, ev);
	bool counts = m->en && m->e && (!cycle_ctr || m->cc_incl) && allowed;
	uint64_t d = cycle_ctr ? r->dcc[i] : r->d0[i];
	uint64_t v = cycle_ctr ? r->vcc[i] : r->v0[i];
	const char *cn = cycle_ctr ? "cycle counter" : ev == PMU_EV_CPU_CYCLES ?
			 "counter 0 (CPU_CYCLES)" : "counter 0 (INST_RETIRED)";
	bool control = platform_counts(ev, el);

	if (!r->ran)
		ktap_fail("%s, %s: after %s: %s: guest failed: %s", where, fv->name,
			  rounds[i].what, cn, r->why);
	else if (!control)
		ktap_skip("this platform doesn't count it", "%s, %s: after %s: %s",
			  where, fv->name, rounds[i].what, cn);
	else if (rounds[i].val == V_PRESET)
		ktap_check_known(type_written(i, cycle_ctr) ? "evtyper-write-not-applied" :
				 "pmreg-write-not-applied", counts ? v >= PRESET + 2 * ITERS : v == PRESET,
			   "%s, %s: after %s: %s %s (reads %lu)", where, fv->name, rounds[i].what,
			   cn, counts ? "counts on from the value written" : "keeps the value written", v);
	else
		/*
		 * Known: KVM keeps the perf event of the old PMEVTYPER/PMCCFILTR
		 * value, from the first userspace write of it on; before 6.15 it
		 * ignored the other PMU registers' writes too.  Excluded by
		 * its EL bits, a counter may still count the round trip's other
		 * context, far less than the loop.
		 */
		ktap_check_known(type_written(i, cycle_ctr) ? "evtyper-write-not-applied" :
				 "pmreg-write-not-applied",
				 counts ? d >= 2 * ITERS :
				 allowed && m->en && m->e ? d < ITERS / 2 : d == 0,
				 "%s, %s: after %s: %s %s (%lu)",
				 where, fv->name, rounds[i].what, cn,
				 counts ? "counts" : allowed ? "doesn't count, as its registers say" :
				 "never counts, event denied", d);
}

int main(void)
{
	static const struct { const char *name; enum guest_el el; } places[] = {
		{ "EL1", GUEST_EL1 }, { "vEL2", GUEST_EL2 },
	};
	static struct run runs[NR_DENY_ONE_VMS];
	const unsigned int per_place = NR_DENY_ONE_VMS * NR_ROUNDS * 2;

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(places) * per_place);
	for (unsigned int p = 0; p < ARRAY_SIZE(places); p++) {
		if (places[p].el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2)) {
			for (unsigned int i = 0; i < per_place; i++)
				ktap_skip("KVM_CAP_ARM_EL2 is 0", "vEL2: case %u", i + 1);
			continue;
		}
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			run_vm(&deny_one_vms[v], places[p].el, &runs[v]);
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			for (unsigned int i = 0; i < NR_ROUNDS; i++)
				for (int cc = 0; cc <= 1; cc++)
					check_counter(places[p].name, places[p].el,
						      &deny_one_vms[v], &runs[v], i, cc);
	}
	ktap_finish();
}
