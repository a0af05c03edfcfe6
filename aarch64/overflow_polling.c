// SPDX-License-Identifier: GPL-2.0
/*
 * overflow_polling: a guest that polls PMOVSSET_EL0 instead of taking the
 * PMU interrupt (PMINTENSET clear) sees an allowed counter's overflow flag
 * as soon as the counter wraps, and never a flag the filter or the
 * enables rule out; its own PMOVSSET/PMOVSCLR writes take effect at once,
 * and the flags hold across vcpu_put/vcpu_load, userspace reads and
 * writes, and a migration.
 *
 * Arm ARM D13.3 (PMOVSSET_EL0): a counter's flag is set when it overflows,
 * at bit 31 unless it is a 64-bit overflow (LP, LC); it is the counter's
 * state, read and written by the guest.  The guest presets counter 0
 * (CPU_CYCLES), counter 1 (INST_RETIRED) and the cycle counter (PMCR_EL0.LC
 * = 0: overflow at bit 31) a few thousand events below the wrap, enables
 * them, and polls counters and flags every 200 iterations of its loop,
 * within one KVM_RUN; counter 2 is preset the same way but never enabled.
 * The positive control of "a denied counter never flags" is the same
 * counter in the unfiltered VM, flagging in the same run.  At EL1 and, as a
 * guest hypervisor (NSH), at vEL2.
 */
#include <sched.h>
#include <unistd.h>

#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define PRESET		(0xffffffffUL - 4000)	/* a few thousand events below the wrap */
#define POLLS		40
#define CHUNK		200			/* loop iterations between two polls */
#define IDLE_CTR	2			/* preset, programmed, never enabled */
#define USER_FLAG	3			/* a flag only userspace sets */
#define CCNT		PMU_CYCLE_IDX

/* The polled counters, their events and the flag each sets. */
static const struct loop_counter polled[] = {
	{ "counter 0 (CPU_CYCLES)", 0, PMU_EV_CPU_CYCLES },
	{ "counter 1 (INST_RETIRED)", 1, PMU_EV_INST_RETIRED },
	{ "cycle counter (32-bit overflow)", CCNT, PMU_EV_CPU_CYCLES },
};
#define NR_POLLED	ARRAY_SIZE(polled)

enum step {
	POLLED,			/* per counter: the polls where it wrapped and flagged */
	POLLED_VALUES,		/* flags seen before their counter read wrapped; PMCR_EL0;
				 * PMOVSSET after the guest cleared every flag, same run */
	CLEARED_AFTER_EXIT,	/* PMOVSSET after an exit: cleared stays cleared */
	GUEST_WRITES,		/* PMOVSSET then PMOVSCLR of a never-enabled counter */
	AFTER_PUT_LOAD,		/* PMOVSSET after an exit, on another pCPU */
	AFTER_USER_RELOAD,	/* after userspace read PMOVSSET and wrote PMCNTENSET */
	AFTER_USER_SET,		/* after userspace set one more flag */
	AFTER_GUEST_CLR,	/* the guest cleared that flag again */
	AFTER_MIGRATION,
	NR_STEPS,
};

static bool wrapped(uint64_t v)
{
	return (v & 0xffffffffUL) < PRESET || v > 0xffffffffUL;
}

/* guest_code()'s argument: the EL bits that include its EL, and this flag. */
#define LATE_WIDTH	BIT(0)	/* LC/LP changed after the counters were programmed */
#define EVENTS_ONLY	BIT(1)	/* the cycle counter left alone: only event counters count */

static void guest_code(uint64_t arg)
{
	uint64_t first_wrap[NR_POLLED] = { 0 }, first_flag[NR_POLLED] = { 0 };
	uint64_t incl = arg & PMEVTYPER_NSH, early = 0, flags = 0, pmcr;

	guest_step("preset the counters below the wrap, interrupts off");
	pmu_reset();
	write_sysreg(~0UL, pmintenclr_el1);
	/*
	 * The overflow width (PMCR_EL0.LC for the cycle counter, LP for the
	 * others): LC=0, LP=0 from the start; or, LATE_WIDTH, the counters
	 * programmed under LC=1 and then LC=0, LP=1.
	 */
	if (!(arg & LATE_WIDTH)) {
		write_sysreg(0, pmcr_el0);
		isb();
	}
	for (unsigned int c = 0; c < NR_POLLED; c++) {
		if (polled[c].idx == CCNT && (arg & EVENTS_ONLY))
			continue;
		pmu_write_evtyper(polled[c].idx, (polled[c].idx == CCNT ? 0 : polled[c].event) | incl);
		pmu_write_counter(polled[c].idx, PRESET);
		pmu_enable_counters(BIT(polled[c].idx));
	}
	pmu_write_evtyper(IDLE_CTR, PMU_EV_CPU_CYCLES | incl);
	pmu_write_counter(IDLE_CTR, PRESET);
	write_sysreg(PMCR_E | (arg & LATE_WIDTH ? PMCR_LP : 0), pmcr_el0);
	isb();
	pmcr = read_sysreg(pmcr_el0);

	guest_step("poll counters and PMOVSSET_EL0 while the loop runs");
	for (unsigned int p = 1; p <= POLLS; p++) {
		uint64_t v[NR_POLLED], before;

		pmu_workload(CHUNK);
		/*
		 * Flags read before the counters can't show a wrap they don't;
		 * flags read after them must show every wrap they do.
		 */
		before = read_sysreg(pmovsset_el0);
		for (unsigned int c = 0; c < NR_POLLED; c++)
			v[c] = pmu_read_counter(polled[c].idx);
		flags = read_sysreg(pmovsset_el0);
		for (unsigned int c = 0; c < NR_POLLED; c++) {
			uint64_t bit = BIT(polled[c].idx);

			if (!first_wrap[c] && wrapped(v[c]))
				first_wrap[c] = p;
			if (!first_flag[c] && (flags & bit))
				first_flag[c] = p;
			if ((before & bit) && !wrapped(v[c]))
				early |= bit;
		}
	}
	write_sysreg(read_sysreg(pmcr_el0) & ~PMCR_E, pmcr_el0);
	isb();
	GUEST_SYNC(POLLED, first_wrap[0] | first_flag[0] << 32, first_wrap[1] | first_flag[1] << 32,
		   first_wrap[2] | first_flag[2] << 32, flags, pmu_read_counter(IDLE_CTR));
	write_sysreg(flags, pmovsclr_el0);
	isb();
	GUEST_SYNC(POLLED_VALUES, early, pmcr, read_sysreg(pmovsset_el0));
	if (arg & (LATE_WIDTH | EVENTS_ONLY))
		GUEST_DONE();

	guest_step("read the cleared flags after an exit, then set them again");
	GUEST_SYNC(CLEARED_AFTER_EXIT, read_sysreg(pmovsset_el0));
	write_sysreg(flags, pmovsset_el0);
	isb();

	guest_step("set and clear a flag by PMOVSSET_EL0 and PMOVSCLR_EL0");
	write_sysreg(BIT(IDLE_CTR), pmovsset_el0);
	isb();
	flags = read_sysreg(pmovsset_el0);
	write_sysreg(BIT(IDLE_CTR), pmovsclr_el0);
	isb();
	GUEST_SYNC(GUEST_WRITES, flags, read_sysreg(pmovsset_el0));

	guest_step("read the flags after each of the host's doings");
	GUEST_SYNC(AFTER_PUT_LOAD, read_sysreg(pmovsset_el0));
	GUEST_SYNC(AFTER_USER_RELOAD, read_sysreg(pmovsset_el0));
	GUEST_SYNC(AFTER_USER_SET, read_sysreg(pmovsset_el0));
	write_sysreg(BIT(USER_FLAG), pmovsclr_el0);
	isb();
	GUEST_SYNC(AFTER_GUEST_CLR, read_sysreg(pmovsset_el0));
	GUEST_SYNC(AFTER_MIGRATION, read_sysreg(pmovsset_el0));
}

struct run {
	struct guest_run run;
	uint64_t val[NR_STEPS][UCALL_NR_ARGS];	/* each step's values, after its number */
	uint64_t user_read;			/* PMOVSSET by KVM_GET_ONE_REG */
	bool long_counters;			/* PMUv3p5: 64-bit event counters */
};

/* The vCPU thread to the next CPU: the next KVM_RUN loads the vCPU there. */
static void move_to_next_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((sched_getcpu() + 1) % (n > 0 ? n : 1), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* @variant: 0, LATE_WIDTH or EVENTS_ONLY, which stop after the polling. */
static void run_vm(const struct filter_vm *fv, enum guest_el el, uint64_t variant, struct run *r)
{
	struct pmu_vm_config cfg = { .el = el, .filters = &fv->range, .nr_filters = fv->nr,
				     .code = guest_code,
				     .arg = (el == GUEST_EL2 ? PMEVTYPER_NSH : 0) | variant };
	unsigned int last = variant ? POLLED_VALUES : NR_STEPS - 1;
	struct vm *vm = pmu_vm_create(&cfg);
	cpu_set_t all;
	struct ucall uc;

	sched_getaffinity(0, sizeof(all), &all);
	*r = (struct run){ .long_counters = vcpu_pmu_has_64bit_counters(vm->vcpus[0]) };
	guest_run_start(&r->run);
	for (unsigned int s = 0; r->run.ok && s <= last; s++) {
		struct vcpu *vcpu = vm->vcpus[0];

		switch (s) {
		case AFTER_PUT_LOAD:
			move_to_next_cpu();
			break;
		case AFTER_USER_RELOAD:
			r->user_read = vcpu_get_reg(vcpu, ID_PMOVSSET_EL0);
			vcpu_set_reg(vcpu, ID_PMCNTENSET_EL0, vcpu_get_reg(vcpu, ID_PMCNTENSET_EL0));
			break;
		case AFTER_USER_SET:
			vcpu_set_reg(vcpu, ID_PMOVSSET_EL0,
				     vcpu_get_reg(vcpu, ID_PMOVSSET_EL0) | BIT(USER_FLAG));
			break;
		case AFTER_MIGRATION:
			vm = pmu_vm_migrate(&vm, &cfg, RESTORE_LISTED, NULL, r->run.why,
					    sizeof(r->run.why));
			if (!vm) {
				r->run.ok = false;
				continue;
			}
			vcpu = vm->vcpus[0];
			break;
		}
		if (!guest_run_step(&r->run, vcpu, s, &uc))
			break;
		for (unsigned int i = 1; i < UCALL_NR_ARGS; i++)
			r->val[s][i - 1] = uc.args[i];
	}
	sched_setaffinity(0, sizeof(all), &all);
	if (vm)
		vm_free(vm);
}

#define CHECKS_PER_VM	(NR_POLLED + 7)

/*
 * Counter @c's flag over the polls, as the architecture has it: at the
 * poll whose counter read first shows the wrap, never before it; or none,
 * for a wrap at bit 32 of a counter that overflows at 64 bits.
 */
static bool flag_fits(const struct run *r, unsigned int c, bool flags_at_32)
{
	unsigned int wrap = r->val[POLLED][c] & 0xffffffff, flag = r->val[POLLED][c] >> 32;
	bool early = r->val[POLLED_VALUES][0] & BIT(polled[c].idx);

	/*
	 * The flag shows by the poll whose counter read first shows the wrap,
	 * or by the one before if the wrap came between its counter and flag
	 * reads; never in a flag read that precedes a counter read without it.
	 */
	return flags_at_32 ? wrap && flag && flag <= wrap && flag + 1 >= wrap && !early :
			     wrap && !flag;
}

/*
 * @stale_at_32 is where finding 16 says KVM flags instead: at the width in
 * force when the counter was programmed.
 */
static void check_flag(const char *where, const char *fv_name, const struct run *r, unsigned int c,
		       bool flags_at_32, bool stale_at_32)
{
	const struct loop_counter *lc = &polled[c];
	unsigned int wrap = r->val[POLLED][c] & 0xffffffff, flag = r->val[POLLED][c] >> 32;
	bool early = r->val[POLLED_VALUES][0] & BIT(lc->idx);

	if (flags_at_32)
		ktap_check_known("overflow-width-stale", flag_fits(r, c, true),
				 flag_fits(r, c, stale_at_32),
				 "%s, %s: %s wraps, and its flag shows by that poll, not before the wrap (wrapped at poll %u, flagged at %u of %d%s)",
				 where, fv_name, lc->name, wrap, flag, POLLS,
				 early ? ", flag before the wrap" : "");
	else
		ktap_check_known("overflow-width-stale", flag_fits(r, c, false),
				 flag_fits(r, c, stale_at_32),
				 "%s, %s: %s passes bit 32 without a flag: it overflows at 64 bits (wrapped at poll %u, flagged at %u)",
				 where, fv_name, lc->name, wrap, flag);
}

static void check_vm(const char *where, enum guest_el el, const struct filter_vm *fv,
		     const struct run *r)
{
	const uint64_t *p = r->val[POLLED];
	uint64_t flags = p[3], idle = p[4], kept, allowed_flags = 0;
	/* PMCR_EL0.LC is RES1 where AArch32 isn't: the cycle counter then overflows at 64 bits. */
	bool cc_at_32 = !(r->val[POLLED_VALUES][1] & PMCR_LC);

	if (!r->run.ok) {
		ktap_fail_n(CHECKS_PER_VM, "%s, %s: guest failed: %s", where, fv->name, r->run.why);
		return;
	}
	for (unsigned int c = 0; c < NR_POLLED; c++) {
		const struct loop_counter *lc = &polled[c];
		unsigned int wrap = p[c] & 0xffffffff, flag = p[c] >> 32;

		if (!platform_counts(lc->event, el)) {
			ktap_skip("this platform doesn't count the event", "%s, %s: %s's flag",
				  where, fv->name, lc->name);
		} else if (lc->idx == CCNT && cc_at_32 && !r->long_counters &&
			   platform_gap("chain") &&
			   pmu_filter_counts(&fv->range, fv->nr, PMU_EV_CPU_CYCLES)) {
			/*
			 * Counter 0's CPU_CYCLES takes the host's cycle counter, and
			 * without 64-bit event counters the host counts the guest's
			 * cycle counter on a chained pair: its 32-bit overflow
			 * interrupts only where the hardware has CHAIN.  Where the
			 * host gives it the cycle counter instead (6.1 does), it
			 * flags: allowed either way.
			 */
			allowed_flags |= BIT(lc->idx);
			ktap_skip("this platform's PMU has no CHAIN event and no 64-bit event counters (before PMUv3p5): the host's chained pair for the cycle counter may never interrupt at bit 31",
				  "%s, %s: %s's flag", where, fv->name, lc->name);
		} else if (pmu_filter_counts(&fv->range, fv->nr, lc->event)) {
			allowed_flags |= BIT(lc->idx);
			check_flag(where, fv->name, r, c, lc->idx != CCNT || cc_at_32,
				   lc->idx != CCNT || cc_at_32);
		} else {
			ktap_check(!wrap && !flag,
				   "%s, %s: %s, denied, never wraps and never flags (wrapped at poll %u, flagged at %u)",
				   where, fv->name, lc->name, wrap, flag);
		}
	}
	ktap_check(!(flags & BIT(IDLE_CTR)) && idle == PRESET,
		   "%s, %s: counter 2, never enabled, never moves and never flags (PMOVSSET %#lx, %#lx)",
		   where, fv->name, flags, idle);
	ktap_check(r->val[POLLED_VALUES][2] == 0 && r->val[CLEARED_AFTER_EXIT][0] == 0,
		   "%s, %s: the guest's PMOVSCLR_EL0 of its flags takes effect at once and holds across an exit (%#lx, then %#lx, after the exit %#lx)",
		   where, fv->name, flags, r->val[POLLED_VALUES][2], r->val[CLEARED_AFTER_EXIT][0]);
	ktap_check(r->val[GUEST_WRITES][0] == (flags | BIT(IDLE_CTR)) && r->val[GUEST_WRITES][1] == flags,
		   "%s, %s: the guest's PMOVSSET_EL0 and PMOVSCLR_EL0 writes take effect at once (%#lx, then %#lx; flags %#lx)",
		   where, fv->name, r->val[GUEST_WRITES][0], r->val[GUEST_WRITES][1], flags);
	/* Whatever flagged, only allowed counters flagged; from here on they must hold. */
	kept = flags & allowed_flags;
	ktap_check(flags == kept && r->val[AFTER_PUT_LOAD][0] == flags,
		   "%s, %s: the flags hold across an exit and a load on another pCPU (%#lx -> %#lx)",
		   where, fv->name, flags, r->val[AFTER_PUT_LOAD][0]);
	ktap_check(r->user_read == flags && r->val[AFTER_USER_RELOAD][0] == flags,
		   "%s, %s: userspace reads the flags the guest sees, and its PMCNTENSET write keeps them (read %#lx, guest %#lx)",
		   where, fv->name, r->user_read, r->val[AFTER_USER_RELOAD][0]);
	ktap_check(r->val[AFTER_USER_SET][0] == (flags | BIT(USER_FLAG)) &&
		   r->val[AFTER_GUEST_CLR][0] == flags,
		   "%s, %s: a flag userspace sets reaches the guest at once, and the guest clears it (%#lx, then %#lx)",
		   where, fv->name, r->val[AFTER_USER_SET][0], r->val[AFTER_GUEST_CLR][0]);
	/* Finding 5: on 6.12 the destination shows flags no counter raised. */
	ktap_check_known("migration-restore-not-applied", r->val[AFTER_MIGRATION][0] == flags,
			 r->val[AFTER_MIGRATION][0] & ~flags,
			 "%s, %s: the flags hold across a migration (%#lx -> %#lx)",
			 where, fv->name, flags, r->val[AFTER_MIGRATION][0]);
}

/*
 * With the cycle counter left alone, the flags are those of the event
 * counters that wrapped, and nothing else: no flag of a counter the guest
 * never enabled, whatever the host did with the hardware meanwhile.
 */
static void check_events_only(const char *where, const struct filter_vm *fv, const struct run *r)
{
	uint64_t flags = r->val[POLLED][3], want = 0;

	if (!r->run.ok) {
		ktap_fail("%s, %s, event counters alone: guest failed: %s", where, fv->name, r->run.why);
		return;
	}
	for (unsigned int c = 0; c < NR_POLLED; c++)
		if (polled[c].idx != CCNT && (r->val[POLLED][c] & 0xffffffff))
			want |= BIT(polled[c].idx);
	ktap_check(flags == want,
		   "%s, %s, event counters alone: PMOVSSET_EL0 holds the flags of those that wrapped, no other (%#lx, want %#lx)",
		   where, fv->name, flags, want);
}

/*
 * The overflow width is PMCR_EL0's when the counter overflows: LC cleared
 * and LP set after the counters were programmed (unfiltered VM).
 */
static void check_late_width(const char *where, enum guest_el el, const struct run *r)
{
	uint64_t pmcr = r->val[POLLED_VALUES][1];
	const char *what = "LC=0 and LP=1 written after the counters were programmed";
	char name[128];

	snprintf(name, sizeof(name), "no filter, %s", what);
	if (!r->run.ok) {
		ktap_fail_n(2, "%s, %s: guest failed: %s", where, name, r->run.why);
		return;
	}
	if (!platform_counts(PMU_EV_CPU_CYCLES, el)) {
		ktap_skip_n(2, "this platform doesn't count CPU_CYCLES", "%s, %s", where, name);
		return;
	}
	/*
	 * LP is RES0 before PMUv3p5: the event counter then still overflows at
	 * 32 bits.  Programmed under LP=0 and LC=1, finding 16 keeps 32 and 64.
	 */
	check_flag(where, name, r, 0, !(pmcr & PMCR_LP), true);
	if (pmcr & PMCR_LC)
		ktap_skip("PMCR_EL0.LC reads 1 (RES1: no AArch32)", "%s, %s: cycle counter", where, name);
	else
		check_flag(where, name, r, 2, true, false);
}

int main(void)
{
	static const struct { const char *name; enum guest_el el; } places[] = {
		{ "EL1", GUEST_EL1 }, { "vEL2", GUEST_EL2 },
	};
	const unsigned int per_place = NR_DENY_ONE_VMS * (CHECKS_PER_VM + 1) + 2;
	struct run r;

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(places) * per_place);
	for (unsigned int p = 0; p < ARRAY_SIZE(places); p++) {
		if (places[p].el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2)) {
			ktap_skip_n(per_place, "KVM_CAP_ARM_EL2 is 0", "vEL2: overflow polling");
			continue;
		}
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++) {
			run_vm(&deny_one_vms[v], places[p].el, 0, &r);
			check_vm(places[p].name, places[p].el, &deny_one_vms[v], &r);
			run_vm(&deny_one_vms[v], places[p].el, EVENTS_ONLY, &r);
			check_events_only(places[p].name, &deny_one_vms[v], &r);
		}
		run_vm(&deny_one_vms[0], places[p].el, LATE_WIDTH, &r);
		check_late_width(places[p].name, places[p].el, &r);
	}
	ktap_finish();
}
