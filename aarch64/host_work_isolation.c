// SPDX-License-Identifier: GPL-2.0
/*
 * host_work_isolation: guest counters count only the guest, and the host's
 * own perf counting goes on while a guest counts.
 *
 * A guest counter counts the guest's work and nothing else: not the host
 * userspace work between KVM_RUNs, not the host kernel's exit and entry
 * paths.  With a partitioned PMU, where the guest owns real counters and the
 * host keeps the rest (arm_pmuv3.reserved_host_counters), the host's perf
 * events must also keep counting on its own counters while the guest runs.
 *
 * The guest counts INST_RETIRED, CPU_CYCLES and cycles at EL0 and EL1 and
 * reads them before and after each exit; between the runs the host thread
 * retires HOST_SPIN loop iterations at EL0.  Positive control: the same
 * counters over the guest's own loop of GUEST_ITERS, in the same run, count
 * at least that loop, which is far more than an exit may count
 * (EXIT_BOUND) and far less than the host's spin.  The host's perf event
 * (instructions, this thread, EL0) must count at least its spins.
 */
#include <errno.h>
#include <string.h>

#include "arm64/pmu.h"
#include "host_perf.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ROUNDS		8
#define GUEST_ITERS	20000		/* >= 40000 instructions and cycles */
#define HOST_SPIN	1000000
/* The guest's own instructions around an exit: the ucall, a few hundred. */
#define EXIT_BOUND	4000

static void guest_code(uint64_t arg)
{
	uint64_t before[NR_LOOP_COUNTERS];

	(void)arg;
	guest_step("program the counters");
	guest_program_loop_counters(0);
	for (int r = 0; r < ROUNDS; r++) {
		guest_step("count the guest's own loop");
		guest_read_loop_counters(before);
		pmu_workload(GUEST_ITERS);
		guest_sync_loop_deltas(0, r, before);
		pmu_start();

		guest_step("count over an exit to the host");
		guest_read_loop_counters(before);
		GUEST_SYNC(2, r);
		guest_sync_loop_deltas(1, r, before);
		pmu_start();
	}
}

static void host_spin(void)
{
	for (volatile unsigned long i = 0; i < HOST_SPIN; i++)
		;
}

int main(void)
{
	uint64_t own_min[NR_LOOP_COUNTERS], exit_max[NR_LOOP_COUNTERS];
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .code = guest_code };
	uint64_t host_count = 0;
	unsigned int rounds = 0;
	struct ucall uc;
	struct vm *vm;
	int perf, perf_errno, i;

	pmu_vm_require(GUEST_EL1);
	ktap_start(2 * NR_LOOP_COUNTERS + 1);
	for (i = 0; i < NR_LOOP_COUNTERS; i++)
		own_min[i] = ~0UL, exit_max[i] = 0;

	perf = host_perf_open_instructions();
	perf_errno = errno;
	vm = pmu_vm_create(&cfg);
	while (vcpu_run_ucall(vm->vcpus[0], &uc) == UCALL_SYNC) {
		if (uc.args[0] == 2) {
			host_spin();
			continue;
		}
		/* guest_sync_loop_deltas(kind, round, ...): the deltas follow. */
		for (i = 0; i < NR_LOOP_COUNTERS; i++) {
			uint64_t d = uc.args[2 + i];

			if (uc.args[0] == 0 && d < own_min[i])
				own_min[i] = d;
			if (uc.args[0] == 1 && d > exit_max[i])
				exit_max[i] = d;
		}
		rounds += uc.args[0];
	}
	host_count = host_perf_read(perf);
	if (uc.cmd != UCALL_DONE || rounds != ROUNDS) {
		ktap_fail_n(2 * NR_LOOP_COUNTERS, "guest failed after %u rounds: %s", rounds, uc.text);
	} else {
		for (i = 0; i < NR_LOOP_COUNTERS; i++) {
			ktap_check(own_min[i] >= 2 * GUEST_ITERS,
				   "%s: counts the guest's own loop (%lu, at least %u)",
				   loop_counters[i].name, own_min[i], 2 * GUEST_ITERS);
			ktap_check(exit_max[i] < EXIT_BOUND,
				   "%s: never counts the host's %u-iteration spin between runs (%lu, under %u)",
				   loop_counters[i].name, HOST_SPIN, exit_max[i], EXIT_BOUND);
		}
	}
	if (perf < 0)
		ktap_skip(strerror(perf_errno), "host perf counts its own instructions while a guest counts");
	else
		ktap_check(host_count >= ROUNDS * (uint64_t)HOST_SPIN,
			   "host perf counts its own instructions while a guest counts (%lu, at least %lu)",
			   host_count, ROUNDS * (uint64_t)HOST_SPIN);
	vm_free(vm);
	ktap_finish();
}
