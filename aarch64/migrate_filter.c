// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_filter: a guest migrated to a VM with another filter counts
 * under the destination's filter from its first instruction there: a
 * counter whose event the destination denies never moves past its restored
 * value, allowed counters continue from theirs, PMCEID shows the
 * destination's filter, and a pending overflow flag survives.
 *
 * The guest counts in rounds, unaware of migration.  The host saves every
 * register KVM_GET_REG_LIST names, the vGIC's and guest memory, builds a
 * new VM with (a) the same filter, (b) a stricter one (INST_RETIRED denied)
 * and (c) a looser one, restores in KVM's list order or reversed, and lets
 * the guest go on.  Also ping-pong: ten migrations back and forth.
 */
#include <string.h>

#include "arm64/pmu.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "state.h"
#include "test_util.h"
#include "ucall.h"

#define ITERS		5000
#define OVF_CTR		3
#define PINGPONG	10

static void guest_code(uint64_t arg)
{
	uint64_t v[NR_LOOP_COUNTERS];

	guest_step("program the counters");
	guest_program_loop_counters(0);
	guest_step("leave an overflow flag on counter 3");
	pmu_write_evtyper(OVF_CTR, PMU_EV_SW_INCR);
	pmu_write_counter(OVF_CTR, 0xffffffffUL);
	pmu_enable_counters(BIT(OVF_CTR));
	pmu_sw_increment(BIT(OVF_CTR));
	pmu_disable_counters(BIT(OVF_CTR));

	guest_step("count rounds, unaware of migration");
	for (uint64_t r = 0;; r++) {
		pmu_workload(ITERS);
		guest_read_loop_counters(v);
		GUEST_SYNC(r, v[0], v[1], v[2], pmu_pmceid(0), read_sysreg(pmovsset_el0));
	}
}

struct round {
	uint64_t r, v[NR_LOOP_COUNTERS], pmceid0, ovs;
};

static bool run_round(struct vm *vm, struct round *out, char *why)
{
	struct ucall uc;

	if (!vcpu_run_sync(vm->vcpus[0], &uc, why, UCALL_TEXT_LEN))
		return false;
	out->r = uc.args[0];
	memcpy(out->v, &uc.args[1], sizeof(out->v));
	out->pmceid0 = uc.args[4];
	out->ovs = uc.args[5];
	return true;
}

static struct pmu_vm_config vm_config(const struct filter_vm *fv)
{
	return (struct pmu_vm_config){ .el = GUEST_EL1, .filters = &fv->range,
				       .nr_filters = fv->nr, .code = guest_code };
}

static struct vm *new_vm(const struct filter_vm *fv)
{
	struct pmu_vm_config cfg = vm_config(fv);

	return pmu_vm_create(&cfg);
}

/* Moves *@src's guest into a new VM with filter @dst_fv (freeing *@src); NULL if KVM refused. */
static struct vm *migrate(struct vm **src, const struct filter_vm *dst_fv,
			  enum restore_order order, struct vm_state **saved, char *why)
{
	struct pmu_vm_config cfg = vm_config(dst_fv);

	return pmu_vm_migrate(src, &cfg, order, saved, why, UCALL_TEXT_LEN);
}

static const struct mig_case {
	const char *name;
	const struct filter_vm *src, *dst;
} cases[] = {
	{ "same filter", &deny_one_vms[0], &deny_one_vms[0] },
	{ "stricter filter (INST_RETIRED denied)", &deny_one_vms[0], &deny_one_vms[2] },
	{ "looser filter (INST_RETIRED allowed)", &deny_one_vms[2], &deny_one_vms[0] },
};

#define CHECKS	6

/* Whether counter @c read the same in each of three rounds after a migration. */
static bool frozen(const struct round after[3], unsigned int c)
{
	return after[0].v[c] == after[1].v[c] && after[1].v[c] == after[2].v[c];
}

/* From an unfiltered VM: whether INST_RETIRED counts here, what PMCEID0 says. */
static bool inst_counts;
static uint64_t unfiltered_pmceid0;

static void check_migration(const struct mig_case *c, enum restore_order order)
{
	const char *on = order == RESTORE_LISTED ? "listed order" : "reversed order";
	struct vm *src = new_vm(c->src), *dst;
	struct round before, after[3];
	uint64_t restored[3];
	struct vm_state *saved = NULL;
	char why[UCALL_TEXT_LEN];
	bool ok = true, inst_allowed = pmu_filter_counts(&c->dst->range, c->dst->nr,
							  PMU_EV_INST_RETIRED);

	for (int i = 0; ok && i < 3; i++)
		ok = run_round(src, &before, why);
	dst = ok ? migrate(&src, c->dst, order, &saved, why) : NULL;
	for (int i = 0; dst && ok && i < 3; i++)
		ok = run_round(dst, &after[i], why);
	if (!dst || !ok) {
		ktap_fail_n(CHECKS, "%s, %s: %s", c->name, on, why);
		goto out;
	}
	ktap_check(after[0].r == before.r + 1, "%s, %s: the guest resumes where it left (round %lu after %lu)",
		   c->name, on, after[0].r, before.r);
	restored[0] = vcpu_state_reg(saved->vcpus[0], ID_PMEVCNTR_EL0(0));
	restored[1] = vcpu_state_reg(saved->vcpus[0], ID_PMEVCNTR_EL0(1));
	restored[2] = vcpu_state_reg(saved->vcpus[0], ID_PMCCNTR_EL0);
	/* Finding 5 (6.12): the restored counters stay frozen where they were restored. */
	ktap_check_known("migration-restore-not-applied", restored[0] >= before.v[0] && after[0].v[0] >= restored[0] + 2 * ITERS &&
		   after[2].v[0] > after[1].v[0], frozen(after, 0),
		   "%s, %s: allowed CPU_CYCLES continues from its restored value (%lu -> %lu)",
		   c->name, on, restored[0], after[0].v[0]);
	if (!inst_counts)
		ktap_skip("this platform doesn't count INST_RETIRED",
			  "%s, %s: INST_RETIRED follows the destination's filter", c->name, on);
	else if (inst_allowed)
		ktap_check_known("migration-restore-not-applied", after[0].v[1] >= restored[1] + 2 * ITERS,
				 frozen(after, 1),
			   "%s, %s: INST_RETIRED, allowed at the destination, counts on (%lu -> %lu)",
			   c->name, on, restored[1], after[0].v[1]);
	else
		ktap_check(after[2].v[1] == restored[1] &&
			   vcpu_get_reg(dst->vcpus[0], ID_PMEVCNTR_EL0(1)) == restored[1],
			   "%s, %s: INST_RETIRED, denied at the destination, never moves past %lu (guest %lu, host %lu)",
			   c->name, on, restored[1], after[2].v[1],
			   vcpu_get_reg(dst->vcpus[0], ID_PMEVCNTR_EL0(1)));
	ktap_check_known("migration-restore-not-applied", after[0].v[2] >= restored[2] + 2 * ITERS,
			 frozen(after, 2),
		   "%s, %s: the cycle counter continues (%lu -> %lu)", c->name, on, restored[2],
		   after[0].v[2]);
	ktap_check(!!(after[0].pmceid0 & BIT(PMU_EV_INST_RETIRED)) ==
		   (inst_allowed && (unfiltered_pmceid0 & BIT(PMU_EV_INST_RETIRED))),
		   "%s, %s: PMCEID0 shows the destination's filter (INST_RETIRED bit %d, %s)",
		   c->name, on, !!(after[0].pmceid0 & BIT(PMU_EV_INST_RETIRED)),
		   inst_allowed ? "allowed" : "denied");
	ktap_check_known("migration-restore-not-applied", (before.ovs & BIT(OVF_CTR)) && (after[2].ovs & BIT(OVF_CTR)),
			 (before.ovs & BIT(OVF_CTR)) && !(after[2].ovs & BIT(OVF_CTR)),
		   "%s, %s: counter %d's overflow flag survives (PMOVSSET %#lx -> %#lx)",
		   c->name, on, OVF_CTR, before.ovs, after[2].ovs);
out:
	vm_state_free(saved);
	if (dst)
		vm_free(dst);
	if (src)
		vm_free(src);
}

/* Ten migrations between two VMs denying INST_RETIRED: nothing lost, nothing leaks. */
static void check_pingpong(void)
{
	struct vm *vm = new_vm(&deny_one_vms[2]), *next;
	struct vm_state *saved = NULL;
	struct round first, cur, prev;
	char why[UCALL_TEXT_LEN];
	bool ok = run_round(vm, &first, why), monotonic = true, froze = false;

	prev = first;
	for (int i = 0; ok && i < PINGPONG; i++) {
		next = migrate(&vm, &deny_one_vms[2], i & 1 ? RESTORE_REVERSED : RESTORE_LISTED,
			       &saved, why);
		vm_state_free(saved);
		saved = NULL;
		vm = next;
		ok = vm && run_round(vm, &cur, why);
		if (ok) {
			monotonic &= cur.r == prev.r + 1 && cur.v[0] >= prev.v[0] + 2 * ITERS &&
				     cur.v[2] >= prev.v[2] + 2 * ITERS;
			froze |= cur.r == prev.r + 1 && (cur.v[0] == prev.v[0] || cur.v[2] == prev.v[2]);
			prev = cur;
		}
	}
	if (!ok) {
		ktap_fail("ping-pong: %s", why);
		ktap_fail("ping-pong: %s", why);
	} else {
		ktap_check_known("migration-restore-not-applied", monotonic, froze, "ping-pong, %d migrations: allowed counters go on every time (CPU_CYCLES %lu -> %lu)",
			   PINGPONG, first.v[0], cur.v[0]);
		if (inst_counts)
			ktap_check(cur.v[1] == 0, "ping-pong, %d migrations: denied INST_RETIRED never counts (%lu)",
				   PINGPONG, cur.v[1]);
		else
			ktap_skip("this platform doesn't count INST_RETIRED",
				  "ping-pong: denied INST_RETIRED never counts");
	}
	if (vm)
		vm_free(vm);
}

int main(void)
{
	struct vm *vm;
	struct round r;
	char why[UCALL_TEXT_LEN];

	pmu_vm_require(GUEST_EL1);
	ktap_start(ARRAY_SIZE(cases) * 2 * CHECKS + 2);
	vm = new_vm(&deny_one_vms[0]);
	inst_counts = platform_counts(PMU_EV_INST_RETIRED, GUEST_EL1);
	TEST_ASSERT(run_round(vm, &r, why), "the unfiltered VM failed: %s", why);
	unfiltered_pmceid0 = r.pmceid0;
	vm_free(vm);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		check_migration(&cases[i], RESTORE_LISTED);
		check_migration(&cases[i], RESTORE_REVERSED);
	}
	check_pingpong();
	ktap_finish();
}
