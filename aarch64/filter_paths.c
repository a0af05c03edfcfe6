// SPDX-License-Identifier: GPL-2.0
/*
 * filter_paths: every other path to a count obeys the filter and the
 * architecture: PMU programming from EL0, PMCR_EL0's D and X, PMSWINC_EL0
 * aimed at counters of other events, a counter written while it counts,
 * the cycle counter in 32- and 64-bit overflow modes, and a guest
 * hypervisor's PMCR_EL0.DP and MDCR_EL2.HCCD.
 *
 * Arm ARM (DDI0487 M.a): PMUSERENR_EL0.EN gates EL0's writes of PMCR_EL0,
 * PMCNTENSET_EL0, PMEVTYPER<n>_EL0 and PMEVCNTR<n>_EL0, which otherwise
 * trap to EL1 with EC 0x18 (D24.5.26); PMCR_EL0.D makes the cycle counter
 * count every 64th cycle where AArch32 is and LC is 0, X changes no count
 * (D24.5.8); PMSWINC_EL0 increments only counters of SW_INCR (D24.5.24);
 * MDCR_EL2.HPMD stops the cycle counter at EL2 only with PMCR_EL0.DP, and
 * HCCD stops it there whatever DP is (CountPMUEvents()).  Each case is a
 * fresh VM, in each of three: no filter (every case's positive control),
 * DENY CPU_CYCLES, DENY INST_RETIRED.  Counts that must be equal are
 * INST_RETIRED's, which QEMU's icount makes exact.
 */
#include "arm64/esr.h"
#include "arm64/pmu.h"
#include "arm64/processor.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS		5000
#define PRESET		123456
#define ESR_EC_SYS64	0x18
#define ESR_EC_UNKNOWN	0x00

static volatile uint64_t traps, trap_ecs, first_trap_esr, first_trap_pc;

static void record_trap(struct ex_regs *regs)
{
	uint64_t esr = read_sysreg(esr_el1);

	if (!traps++) {
		first_trap_esr = esr;
		first_trap_pc = regs->pc;
	}
	trap_ecs |= BIT((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
	regs->pc += 4;
}

static uint64_t el0_write_pmu(uint64_t unused)
{
	write_sysreg(PMCR_E, pmcr_el0);
	write_sysreg(BIT(0), pmcntenset_el0);
	write_sysreg(PMU_EV_INST_RETIRED, pmevtyper0_el0);
	write_sysreg(PRESET, pmevcntr0_el0);
	isb();
	return 0;
}

static uint64_t el0_count(uint64_t unused)
{
	write_sysreg(PMU_EV_INST_RETIRED, pmevtyper0_el0);
	write_sysreg(0, pmevcntr0_el0);
	write_sysreg(BIT(0), pmcntenset_el0);
	write_sysreg(PMCR_E, pmcr_el0);
	isb();
	pmu_workload(ITERS);
	write_sysreg(0, pmcr_el0);
	isb();
	return 0;
}

/*
 * INST_RETIRED on counter 0 over a loop, with @pmcr_bits in PMCR_EL0,
 * written before the counter is programmed: a control changed after it is
 * finding 16's matter, not this test's.
 */
static uint64_t count_insts(uint64_t pmcr_bits)
{
	uint64_t v;

	write_sysreg(pmcr_bits, pmcr_el0);
	isb();
	pmu_write_evtyper(0, PMU_EV_INST_RETIRED);
	pmu_write_counter(0, 0);
	pmu_enable_counters(BIT(0));
	write_sysreg(PMCR_E | pmcr_bits, pmcr_el0);
	isb();
	pmu_workload(ITERS);
	v = pmu_read_counter(0);
	pmu_stop();
	return v;
}

/* The cycle counter over a loop, with @pmcr_bits in PMCR_EL0 (before, too). */
static uint64_t count_cycles(uint64_t pmcr_bits, uint64_t filter)
{
	uint64_t v;

	write_sysreg(pmcr_bits, pmcr_el0);
	isb();
	pmu_write_evtyper(PMU_CYCLE_IDX, filter);
	pmu_write_counter(PMU_CYCLE_IDX, 0);
	pmu_enable_counters(BIT(PMU_CYCLE_IDX));
	write_sysreg(PMCR_E | pmcr_bits, pmcr_el0);
	isb();
	pmu_workload(ITERS);
	v = pmu_read_counter(PMU_CYCLE_IDX);
	pmu_stop();
	return v;
}

enum path_case {
	EL0_DENIED,		/* EL0 writes without PMUSERENR_EL0.EN */
	EL0_PROGRAMS,		/* EL0 with EN programs INST_RETIRED, counts its loop */
	CASE_PMCR_D,		/* cycle counter with LC=0: D=0, then D=1 */
	CASE_PMCR_X,		/* INST_RETIRED with X=0, then X=1 */
	SWINC_OTHER,		/* PMSWINC_EL0 at an INST_RETIRED counter, beside a twin */
	WRITE_COUNTING,		/* PMEVCNTR0 written while it counts INST_RETIRED */
	CYCLE_32,		/* cycle counter from 2^32 - 2000, LC=0 */
	CYCLE_64,		/* cycle counter from 2^64 - 2000, LC=1 */
	VEL2_DP,		/* vEL2, MDCR_EL2.HPMD: cycle counter with DP=0, then DP=1 */
	VEL2_HCCD,		/* vEL2: cycle counter with HCCD=0, then HCCD=1 */
	NR_CASES,
};

static const struct {
	const char *name;
	enum guest_el el;
} cases[NR_CASES] = {
	[EL0_DENIED] = { "EL0 writes PMCR_EL0, PMCNTENSET_EL0, PMEVTYPER0_EL0, PMEVCNTR0_EL0 without PMUSERENR_EL0.EN", GUEST_EL1 },
	[EL0_PROGRAMS] = { "EL0 with PMUSERENR_EL0.EN programs INST_RETIRED on counter 0", GUEST_EL1 },
	[CASE_PMCR_D] = { "cycle counter, PMCR_EL0.LC=0, D=1 (every 64th cycle)", GUEST_EL1 },
	[CASE_PMCR_X] = { "INST_RETIRED with PMCR_EL0.X=1", GUEST_EL1 },
	[SWINC_OTHER] = { "PMSWINC_EL0 aimed at counter 0, counting INST_RETIRED", GUEST_EL1 },
	[WRITE_COUNTING] = { "PMEVCNTR0_EL0 written while it counts INST_RETIRED", GUEST_EL1 },
	[CYCLE_32] = { "cycle counter from 2^32 - 2000, PMCR_EL0.LC=0", GUEST_EL1 },
	[CYCLE_64] = { "cycle counter from 2^64 - 2000, PMCR_EL0.LC=1", GUEST_EL1 },
	[VEL2_DP] = { "vEL2, MDCR_EL2.HPMD=1: cycle counter (NSH) with PMCR_EL0.DP=0, then DP=1", GUEST_EL2 },
	[VEL2_HCCD] = { "vEL2: cycle counter (NSH) with MDCR_EL2.HCCD=0, then HCCD=1", GUEST_EL2 },
};

static void guest_code(uint64_t c)
{
	uint64_t a = 0, b = 0, d = 0, e = 0;

	GUEST_ASSERT_EQ(current_el(), cases[c].el);
	guest_step(cases[c].name);
	guest_install_sync_handler(ESR_EC_SYS64, record_trap);
	guest_install_sync_handler(ESR_EC_UNKNOWN, record_trap);
	pmu_reset();
	switch (c) {
	case EL0_DENIED:
		pmu_write_evtyper(0, PMU_EV_CPU_CYCLES);
		write_sysreg(0, pmuserenr_el0);
		isb();
		guest_call_el0(el0_write_pmu, 0);
		a = traps;
		b = trap_ecs;
		d = pmu_read_evtyper(0) | read_sysreg(pmcntenset_el0) << 32;
		e = pmu_read_counter(0) | (read_sysreg(pmcr_el0) & PMCR_E) << 32;
		break;
	case EL0_PROGRAMS:
		write_sysreg(PMUSERENR_EN, pmuserenr_el0);
		isb();
		guest_call_el0(el0_count, 0);
		a = pmu_read_counter(0);
		b = traps;
		d = first_trap_esr;
		e = first_trap_pc;
		break;
	case CASE_PMCR_D:
		a = count_cycles(0, 0);
		b = count_cycles(PMCR_D_DIV64, 0);
		d = read_sysreg(pmcr_el0);
		break;
	case CASE_PMCR_X:
		a = count_insts(0);
		b = count_insts(PMCR_X);
		break;
	case SWINC_OTHER:
		pmu_write_evtyper(0, PMU_EV_INST_RETIRED);
		pmu_write_evtyper(1, PMU_EV_INST_RETIRED);
		pmu_enable_counters(BIT(0) | BIT(1));
		pmu_start();
		for (int i = 0; i < 37; i++)
			pmu_sw_increment(BIT(0));
		pmu_stop();
		a = pmu_read_counter(0);
		b = pmu_read_counter(1);
		break;
	case WRITE_COUNTING:
		pmu_write_evtyper(0, PMU_EV_INST_RETIRED);
		pmu_enable_counters(BIT(0));
		pmu_start();
		pmu_workload(ITERS);
		pmu_write_counter(0, PRESET);
		pmu_workload(ITERS);
		pmu_stop();
		a = pmu_read_counter(0);
		break;
	case CYCLE_32:
	case CYCLE_64:
		write_sysreg(c == CYCLE_64 ? PMCR_LC : 0, pmcr_el0);
		isb();
		pmu_write_evtyper(PMU_CYCLE_IDX, 0);
		a = c == CYCLE_32 ? 0xffffffffUL - 2000 : ~0UL - 2000;
		pmu_write_counter(PMU_CYCLE_IDX, a);
		pmu_enable_counters(BIT(PMU_CYCLE_IDX));
		write_sysreg(PMCR_E | (c == CYCLE_64 ? PMCR_LC : 0), pmcr_el0);
		isb();
		pmu_workload(ITERS);
		pmu_stop();
		b = pmu_read_counter(PMU_CYCLE_IDX);
		d = read_sysreg(pmovsset_el0) & BIT(PMU_CYCLE_IDX);
		e = read_sysreg(pmcr_el0);
		break;
	case VEL2_DP:
		/* Every counter in the first range, HPMD prohibiting EL2 counting there. */
		write_sysreg((read_sysreg(mdcr_el2) & ~MDCR_EL2_HPMN_MASK) | pmu_nr_counters() |
			     MDCR_EL2_HPMD, mdcr_el2);
		a = count_cycles(PMCR_LC, PMEVTYPER_NSH);
		b = count_cycles(PMCR_LC | PMCR_DP, PMEVTYPER_NSH);
		break;
	case VEL2_HCCD:
		write_sysreg(read_sysreg(mdcr_el2) & ~(MDCR_EL2_HPMD | MDCR_EL2_HCCD), mdcr_el2);
		a = count_cycles(PMCR_LC, PMEVTYPER_NSH);
		write_sysreg(read_sysreg(mdcr_el2) | MDCR_EL2_HCCD, mdcr_el2);
		b = count_cycles(PMCR_LC, PMEVTYPER_NSH);
		d = read_sysreg(mdcr_el2) & MDCR_EL2_HCCD;
		break;
	}
	GUEST_SYNC(c, a, b, d, e);
}

struct result {
	struct guest_run run;
	uint64_t a, b, d, e;
};

static void run_case(enum path_case c, const struct filter_vm *fv, struct result *r)
{
	struct pmu_vm_config cfg = { .el = cases[c].el, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code, .arg = c };
	struct vm *vm = pmu_vm_create(&cfg);
	struct ucall uc;

	guest_run_start(&r->run);
	guest_run_step(&r->run, vm->vcpus[0], c, &uc);
	r->a = uc.args[1];
	r->b = uc.args[2];
	r->d = uc.args[3];
	r->e = uc.args[4];
	vm_free(vm);
}

/* One check for most cases, two for the EL0 traps. */
static unsigned int nr_checks(enum path_case c)
{
	return c == EL0_DENIED ? 2 : 1;
}

/* Why case @c can't run or can't tell here, or NULL. */
static const char *unsupported(enum path_case c, unsigned int pmuver)
{
	if (cases[c].el == GUEST_EL2 && !kvm_check_cap(KVM_CAP_ARM_EL2))
		return "KVM offers no virtual EL2 (KVM_CAP_ARM_EL2 is 0)";
	if (c == VEL2_DP && pmuver < PMUVER_V3P1)
		return "MDCR_EL2.HPMD needs PMUv3p1";
	if (c == VEL2_HCCD && pmuver < PMUVER_V3P5)
		return "MDCR_EL2.HCCD needs PMUv3p5";
	/* A partitioned guest writes PMCR_EL0.DP to the hardware unless TPMCR traps it. */
	if (c == VEL2_DP && pmu_backend() == PMU_BACKEND_PARTITIONED && platform_gap("tpmcr"))
		return "this platform's MDCR_EL2.TPMCR traps nothing (QEMU 10.0 TCG): KVM can't see PMCR_EL0.DP";
	return NULL;
}

static void check_case(enum path_case c, const struct filter_vm *fv, const struct result *r)
{
	unsigned int ev = c == EL0_PROGRAMS || c == CASE_PMCR_X || c == SWINC_OTHER ||
			  c == WRITE_COUNTING ? PMU_EV_INST_RETIRED : PMU_EV_CPU_CYCLES;
	bool allowed = pmu_filter_counts(&fv->range, fv->nr, ev), wrapped;
	const char *n = cases[c].name;

	if (!r->run.ok) {
		ktap_fail_n(nr_checks(c), "%s, %s: guest failed: %s", fv->name, n, r->run.why);
		return;
	}
	if (!platform_counts(ev, cases[c].el)) {
		ktap_skip_n(nr_checks(c), "this platform doesn't count the event", "%s, %s",
			    fv->name, n);
		return;
	}
	switch (c) {
	case EL0_DENIED:
		ktap_check(r->a == 4 && r->d == PMU_EV_CPU_CYCLES && r->e == 0,
			   "%s, %s: each traps to EL1, counter 0 left as it was (%lu traps; PMEVTYPER0 and PMCNTENSET %#lx, PMEVCNTR0 and PMCR_EL0.E %#lx)",
			   fv->name, n, r->a, r->d, r->e);
		/* Finding 20: KVM injects an undefined instruction instead. */
		ktap_check_known("el0-pmu-trap-ec", r->b == BIT(ESR_EC_SYS64), r->b == BIT(ESR_EC_UNKNOWN),
				 "%s, %s: each is reported as a trapped MSR, EC 0x18 (ECs seen %#lx)",
				 fv->name, n, r->b);
		break;
	case EL0_PROGRAMS: {
		char esr[128], where[192] = "";

		/* Which of el0_count()'s instructions trapped, if one did. */
		if (r->b)
			snprintf(where, sizeof(where), ", the first %s at el0_count+%#lx",
				 esr_describe(esr, sizeof(esr), 1, r->d), r->e - (uint64_t)el0_count);
		/*
		 * Finding 25: before 6.4, host perf programming the vCPU's
		 * counters clears the PMUSERENR_EL0 KVM loaded for the guest,
		 * and the guest's EL0 then traps to its own EL1 (EC 0x18).
		 */
		ktap_check_known("el0-pmuserenr-lost", !r->b && (allowed ? r->a >= 2 * ITERS : !r->a),
				 r->b && ((r->d >> ESR_EC_SHIFT) & ESR_EC_MASK) == ESR_EC_SYS64,
				 "%s, %s: %s (%lu, %lu traps%s)", fv->name, n,
				 allowed ? "it counts the loop" : "INST_RETIRED denied, never counts",
				 r->a, r->b, where);
		break;
	}
	case CASE_PMCR_D:
		if (r->d & PMCR_LC)
			ktap_skip("PMCR_EL0.LC reads 1 (RES1: no AArch32), so D is ignored",
				  "%s, %s", fv->name, n);
		else if (!allowed)
			ktap_check(!r->a && !r->b, "%s, %s: CPU_CYCLES denied, never counts (%lu, %lu)",
				   fv->name, n, r->a, r->b);
		else
			/* Finding 21: KVM's cycle counter ignores D. */
			ktap_check_known("cycle-counter-controls", r->a >= ITERS &&
					 r->b * 64 >= r->a * 9 / 10 && r->b * 64 <= r->a * 11 / 10,
					 r->b >= r->a * 9 / 10,
					 "%s, %s: counts a 64th of what it counts with D=0 (%lu, D=0: %lu)",
					 fv->name, n, r->b, r->a);
		break;
	case CASE_PMCR_X:
		ktap_check(allowed ? r->a >= 2 * ITERS && r->a == r->b : !r->a && !r->b,
			   "%s, %s: %s (X=1: %lu, X=0: %lu)", fv->name, n,
			   allowed ? "counts exactly what it counts with X=0" :
			   "INST_RETIRED denied, never counts", r->b, r->a);
		break;
	case SWINC_OTHER:
		ktap_check(allowed ? r->a && r->a == r->b : !r->a && !r->b,
			   "%s, %s: %s (counter 0 %lu, its twin %lu)", fv->name, n,
			   allowed ? "it counts only instructions, as its twin" :
			   "INST_RETIRED denied: neither moves", r->a, r->b);
		break;
	case WRITE_COUNTING:
		ktap_check(allowed ? r->a >= PRESET + 2 * ITERS && r->a < PRESET + 2 * ITERS + 64 :
			   r->a == PRESET,
			   "%s, %s: %s (%lu)", fv->name, n,
			   allowed ? "counts on from the value written" :
			   "INST_RETIRED denied, keeps the value written", r->a);
		break;
	case CYCLE_32:
	case CYCLE_64:
		wrapped = c == CYCLE_32 ? (r->b & 0xffffffffUL) < (r->a & 0xffffffffUL) : r->b < r->a;
		/*
		 * Finding 24: 6.1.y computes the perf event's period for a
		 * value written with LC=0 as 64-bit: no flag at the 32-bit wrap.
		 */
		ktap_check_known("cycle-overflow-period",
				 allowed ? wrapped && r->d : r->b == r->a && !r->d,
				 allowed && c == CYCLE_32 && wrapped && !r->d,
				 "%s, %s: %s (%#lx -> %#lx, PMOVSSET bit 31 %s)", fv->name, n,
				 allowed ? "wraps and flags" : "CPU_CYCLES denied: never moves, never flags",
				 r->a, r->b, r->d ? "set" : "clear");
		break;
	case VEL2_DP:
	case VEL2_HCCD:
		if (!allowed)
			ktap_check(!r->a && !r->b, "%s, %s: CPU_CYCLES denied, never counts (%lu, %lu)",
				   fv->name, n, r->a, r->b);
		else
			/* Finding 21: KVM applies HPMD to the cycle counter whatever DP, and no HCCD. */
			ktap_check_known("cycle-counter-controls", r->a >= ITERS && !r->b,
					 c == VEL2_DP ? !r->a && !r->b : r->a >= ITERS && r->b >= ITERS,
					 "%s, %s: counts at EL2 only with %s (%lu, then %lu)", fv->name, n,
					 c == VEL2_DP ? "DP=0" : "HCCD=0", r->a, r->b);
		break;
	default:
		break;
	}
}

int main(void)
{
	unsigned int plan = 0, pmuver;
	struct result r;

	struct pmu_vm_config probe = { .el = GUEST_EL1 };
	struct vm *vm;

	pmu_vm_require(GUEST_EL1);
	vm = pmu_vm_create(&probe);
	pmuver = vcpu_pmuver(vm->vcpus[0]);
	vm_free(vm);
	for (unsigned int c = 0; c < NR_CASES; c++)
		plan += nr_checks(c);
	ktap_start(NR_DENY_ONE_VMS * plan);
	for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
		for (unsigned int c = 0; c < NR_CASES; c++) {
			const char *why = unsupported(c, pmuver);

			if (why) {
				ktap_skip_n(nr_checks(c), why, "%s, %s", deny_one_vms[v].name, cases[c].name);
				continue;
			}
			run_case(c, &deny_one_vms[v], &r);
			check_case(c, &deny_one_vms[v], &r);
		}
	ktap_finish();
}
