// SPDX-License-Identifier: GPL-2.0
/*
 * reload_round_trips: a blocked event never counts and an allowed one
 * loses nothing, however often the vCPU is put and loaded while counting.
 *
 * A PMU that hands counters to the guest must re-apply the filter at every
 * vcpu_load().  The guest counts a loop per round and reports its running
 * totals (an exit each round); meanwhile the host disturbs the vCPU: plain
 * KVM_RUN round trips, the vCPU thread moved between pCPUs by another
 * thread, preempted by a competing thread (also while host perf counts the
 * vCPU thread, as `perf stat -p <vmm>` does: the host's events are scheduled
 * out while the guest's PMU context is still loaded), kicked out of KVM_RUN
 * by signals, or made to take KVM_RUN's immediate_exit path before each
 * round.
 * VMs: no filter (the positive control), DENY INST_RETIRED, DENY
 * CPU_CYCLES.  Every round of an allowed counter counts at least its loop
 * (nothing lost); a denied counter stays at 0.  The most a round counted is
 * printed but not bounded: under QEMU some rounds count thousands of events
 * more than the guest ran (see the README).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arm64/pmu.h"
#include "host_perf.h"
#include "ktap.h"
#include "pmu_cases.h"
#include "pmu_filter.h"
#include "pmu_vm.h"
#include "test_util.h"
#include "ucall.h"

#define ROUNDS	40
#define ITERS	20000

static void guest_code(uint64_t arg)
{
	uint64_t v[NR_LOOP_COUNTERS];

	guest_step("program the counters");
	guest_program_loop_counters(0);
	for (int r = 0; r < ROUNDS; r++) {
		guest_step("count a loop, then report the totals");
		pmu_workload(ITERS);
		guest_read_loop_counters(v);
		GUEST_SYNC(r, v[0], v[1], v[2]);
	}
}

enum disturbance {
	ROUND_TRIPS, PCPU_MOVES, PREEMPTION, HOST_PERF_PREEMPTION, SIGNALS, IMMEDIATE_EXIT,
	NR_DIST
};

static const char *const dist_names[NR_DIST] = {
	"KVM_RUN round trips", "pCPU migration", "preemption by a competing thread",
	"preemption while host perf counts the vCPU thread",
	"signals kicking KVM_RUN", "immediate_exit before each round",
};

struct disturber {
	enum disturbance what;
	pid_t vcpu_tid;
	volatile bool stop;
};

static void on_kick(int sig)
{
	(void)sig;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* The other thread: moves, preempts or kicks the vCPU thread until stopped. */
static void *disturb(void *p)
{
	struct disturber *d = p;
	int ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	for (unsigned int i = 0; !d->stop; i++) {
		switch (d->what) {
		case PCPU_MOVES:
			CPU_ZERO(&set);
			CPU_SET(i % ncpus, &set);
			sched_setaffinity(d->vcpu_tid, sizeof(set), &set);
			pause_ms(2);
			break;
		case PREEMPTION:
		case HOST_PERF_PREEMPTION:
			/* Share the vCPU's pCPU and spin: the vCPU is preempted. */
			CPU_ZERO(&set);
			CPU_SET(0, &set);
			sched_setaffinity(0, sizeof(set), &set);
			for (volatile int spin = 0; spin < 100000 && !d->stop; spin++)
				;
			sched_yield();
			break;
		case SIGNALS:
			syscall(SYS_tgkill, getpid(), d->vcpu_tid, SIGUSR1);
			pause_ms(1);
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

struct run {
	const char *skip;		/* why the run couldn't be made */
	struct guest_run run;
	uint64_t total[ROUNDS][NR_LOOP_COUNTERS];
};

static void run_vm(const struct filter_vm *fv, enum disturbance what, struct run *r)
{
	struct pmu_vm_config cfg = { .el = GUEST_EL1, .filters = &fv->range,
				     .nr_filters = fv->nr, .code = guest_code };
	struct disturber d = { .what = what, .vcpu_tid = syscall(SYS_gettid) };
	int perf = -1;
	struct vm *vm;
	struct vcpu *vcpu;
	cpu_set_t all;
	pthread_t t;
	struct ucall uc;

	if (what == HOST_PERF_PREEMPTION) {
		perf = host_perf_open_instructions();
		if (perf < 0) {
			r->skip = strerror(errno);
			return;
		}
	}
	vm = pmu_vm_create(&cfg);
	vcpu = vm->vcpus[0];
	sched_getaffinity(0, sizeof(all), &all);
	if (what == PREEMPTION || what == HOST_PERF_PREEMPTION) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	TEST_ASSERT(!pthread_create(&t, NULL, disturb, &d), "pthread_create");
	guest_run_start(&r->run);
	for (int i = 0; r->run.ok && i < ROUNDS; i++) {
		if (what == IMMEDIATE_EXIT) {
			vcpu->run->immediate_exit = 1;
			TEST_ASSERT(__vcpu_run(vcpu) == -EINTR, "KVM_RUN with immediate_exit");
			vcpu->run->immediate_exit = 0;
		}
		if (!guest_run_step(&r->run, vcpu, i, &uc))
			break;
		for (int c = 0; c < NR_LOOP_COUNTERS; c++)
			r->total[i][c] = uc.args[1 + c];
	}
	d.stop = true;
	pthread_join(t, NULL);
	sched_setaffinity(0, sizeof(all), &all);
	vm_free(vm);
	if (perf >= 0)
		close(perf);
}

/* Every round adds its loop and less than a loop more (allowed), or nothing (denied). */
static void check(const char *dn, const struct filter_vm *fv, unsigned int c,
		  const struct run *r)
{
	const char *cn = loop_counters[c].name;
	bool allowed = pmu_filter_counts(&fv->range, fv->nr, loop_counters[c].event);
	uint64_t prev = 0, min_step = ~0UL, max_step = 0;

	if (r->skip) {
		ktap_skip(r->skip, "%s, %s: %s", dn, fv->name, cn);
		return;
	}
	if (!r->run.ok) {
		ktap_fail("%s, %s: %s: guest failed: %s", dn, fv->name, cn, r->run.why);
		return;
	}
	if (!platform_counts(loop_counters[c].event, GUEST_EL1)) {
		ktap_skip("this platform doesn't count it", "%s, %s: %s",
			  dn, fv->name, cn);
		return;
	}
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t step = r->total[i][c] - prev;

		min_step = step < min_step ? step : min_step;
		max_step = step > max_step ? step : max_step;
		prev = r->total[i][c];
	}
	if (!allowed)
		ktap_check(prev == 0, "%s, %s: %s: denied, never counts over %d rounds (%lu)",
			   dn, fv->name, cn, ROUNDS, prev);
	else
		ktap_check(min_step >= 2 * ITERS,
			   "%s, %s: %s: allowed, every round counts its loop (%lu to %lu a round)",
			   dn, fv->name, cn, min_step, max_step);
}

int main(void)
{
	static struct run runs[NR_DIST][NR_DENY_ONE_VMS];
	struct sigaction sa = { .sa_handler = on_kick };

	pmu_vm_require(GUEST_EL1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	ktap_start(NR_DIST * NR_DENY_ONE_VMS * NR_LOOP_COUNTERS);

	for (unsigned int d = 0; d < NR_DIST; d++)
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			run_vm(&deny_one_vms[v], d, &runs[d][v]);
	for (unsigned int d = 0; d < NR_DIST; d++)
		for (unsigned int v = 0; v < NR_DENY_ONE_VMS; v++)
			for (unsigned int c = 0; c < NR_LOOP_COUNTERS; c++)
				check(dist_names[d], &deny_one_vms[v], c, &runs[d][v]);
	ktap_finish();
}
