// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "arm64/esr.h"
#include "arm64/processor.h"
#include "arm64/sysreg.h"
#include "ktap.h"
#include "test_util.h"
#include "ucall.h"
#include "vcpu.h"
#include "vm.h"

/* Per vCPU: the step each guest is in, read by the host on failure. */
static const char *guest_steps[VM_MAX_VCPUS];

/* ---- guest side ---- */

unsigned int guest_vcpu_id(void)
{
	/* The host sets TPIDR_EL1 to the vCPU number (not redirected by E2H). */
	return read_sysreg(tpidr_el1);
}

void guest_step(const char *name)
{
	guest_steps[guest_vcpu_id() % VM_MAX_VCPUS] = name;
}

static void ucall_send(struct ucall *uc)
{
	/* A plain STR, so the abort has a valid syndrome for KVM to decode. */
	asm volatile("str %0, [%1]"
		     : : "r"((uint64_t)uc), "r"(GUEST_UCALL_GPA) : "memory");
}

void ucall(enum ucall_cmd cmd, unsigned int nargs, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list ap;
	unsigned int i;

	va_start(ap, nargs);
	for (i = 0; i < nargs && i < UCALL_NR_ARGS; i++)
		uc.args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	ucall_send(&uc);
}

void guest_printf(const char *fmt, ...)
{
	struct ucall uc = { .cmd = UCALL_PRINT };
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(uc.text, sizeof(uc.text), fmt, ap);
	va_end(ap);
	ucall_send(&uc);
}

noreturn void guest_fail(enum ucall_cmd cmd, const char *fmt, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(uc.text, sizeof(uc.text), fmt, ap);
	va_end(ap);
	for (;;)
		ucall_send(&uc);
}

noreturn void guest_done(void)
{
	for (;;)
		ucall(UCALL_DONE, 0);
}

/* ---- host side ---- */

unsigned int ucall_timeout_seconds(void)
{
	const char *s = getenv("KPF_GUEST_TIMEOUT");
	unsigned long v = s ? strtoul(s, NULL, 0) : 0;

	return v ? v : 60;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A timer that interrupts this thread's KVM_RUN after @secs seconds. */
static timer_t arm_run_timer(unsigned int secs)
{
	static bool handler_installed;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value.tv_sec = secs };
	timer_t t;

	if (!handler_installed) {
		struct sigaction sa = { .sa_handler = on_alarm };

		sigemptyset(&sa.sa_mask);
		TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction");
		handler_installed = true;
	}
	sev._sigev_un._tid = syscall(SYS_gettid);
	TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &t), "timer_create");
	TEST_ASSERT(!timer_settime(t, 0, &its, NULL), "timer_settime");
	return t;
}

static const char *guest_step_of(struct vcpu *vcpu)
{
	const char *step;
	const char *text;

	vm_sync_from_guest(vcpu->vm, guest_steps, sizeof(guest_steps));
	step = guest_steps[vcpu->id];
	if (!step)
		return "(no step named)";
	text = vm_gva2hva(vcpu->vm, (uint64_t)step, 1);
	return text && strnlen(text, 128) < 128 ? text : "(step name unreadable)";
}

static void describe_exception(struct ucall *uc)
{
	char esr[160];

	/* args: vector, ESR, ELR, FAR, EL, SPSR (see guest_exception_entry()) */
	snprintf(uc->text, sizeof(uc->text),
		 "unexpected exception at EL%lu (%s): %s ELR=%#lx FAR=%#lx SPSR=%#lx",
		 uc->args[4], vector_name(uc->args[0]),
		 esr_describe(esr, sizeof(esr), uc->args[4], uc->args[1]),
		 uc->args[2], uc->args[3], uc->args[5]);
}

static void describe_exit(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	uint64_t pc = vcpu_get_reg(vcpu, CORE_REG_ID(regs.pc));

	uc->cmd = UCALL_BAD_EXIT;
	if (run->exit_reason == KVM_EXIT_MMIO)
		snprintf(uc->text, sizeof(uc->text),
			 "unexpected MMIO %s of %u bytes at %#llx, PC=%#lx",
			 run->mmio.is_write ? "write" : "read", run->mmio.len,
			 run->mmio.phys_addr, pc);
	else if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		snprintf(uc->text, sizeof(uc->text),
			 "unexpected system event %u, PC=%#lx",
			 run->system_event.type, pc);
	else
		snprintf(uc->text, sizeof(uc->text),
			 "unexpected exit reason %u, PC=%#lx", run->exit_reason, pc);
}

static void append_step(struct vcpu *vcpu, struct ucall *uc)
{
	size_t n = strlen(uc->text);

	snprintf(uc->text + n, sizeof(uc->text) - n, " [vCPU %u, step '%s']",
		 vcpu->id, guest_step_of(vcpu));
}

static bool read_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	const struct ucall *src;
	uint64_t gva;

	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != GUEST_UCALL_GPA ||
	    !run->mmio.is_write || run->mmio.len != 8)
		return false;
	memcpy(&gva, run->mmio.data, sizeof(gva));
	src = vm_gva2hva(vcpu->vm, gva, sizeof(*src));
	if (!src)
		return false;
	memcpy(uc, src, sizeof(*uc));
	uc->text[sizeof(uc->text) - 1] = '\0';
	return true;
}

bool vcpu_run_step(struct vcpu *vcpu, uint64_t step, struct ucall *uc, char *why, size_t len)
{
	enum ucall_cmd cmd = vcpu_run_ucall(vcpu, uc);

	if (cmd == UCALL_SYNC && uc->args[0] == step)
		return true;
	if (cmd == UCALL_SYNC)
		snprintf(why, len, "the guest reported step %lu where %lu was due", uc->args[0], step);
	else if (cmd == UCALL_DONE)
		snprintf(why, len, "the guest finished where step %lu was due", step);
	else
		snprintf(why, len, "%s", uc->text);
	return false;
}

bool guest_run_step(struct guest_run *run, struct vcpu *vcpu, uint64_t step, struct ucall *uc)
{
	if (run->ok)
		run->ok = vcpu_run_step(vcpu, step, uc, run->why, sizeof(run->why));
	return run->ok;
}

bool vcpu_run_sync(struct vcpu *vcpu, struct ucall *uc, char *why, size_t len)
{
	enum ucall_cmd cmd = vcpu_run_ucall(vcpu, uc);

	if (cmd == UCALL_SYNC)
		return true;
	snprintf(why, len, "%s",
		 cmd == UCALL_DONE ? "the guest finished where a GUEST_SYNC was due" : uc->text);
	return false;
}

bool guest_run_sync(struct guest_run *run, struct vcpu *vcpu, struct ucall *uc)
{
	if (run->ok)
		run->ok = vcpu_run_sync(vcpu, uc, run->why, sizeof(run->why));
	return run->ok;
}

enum ucall_cmd vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	unsigned int secs = ucall_timeout_seconds();
	timer_t timer = arm_run_timer(secs);

	for (;;) {
		int ret = __vcpu_run(vcpu);

		memset(uc, 0, sizeof(*uc));
		if (ret == -EINTR) {
			struct itimerspec left;

			timer_gettime(timer, &left);
			if (left.it_value.tv_sec || left.it_value.tv_nsec)
				continue;	/* some other signal */
			uc->cmd = UCALL_TIMEOUT;
			snprintf(uc->text, sizeof(uc->text),
				 "guest still running after %u s, PC=%#lx", secs,
				 vcpu_get_reg(vcpu, CORE_REG_ID(regs.pc)));
		} else if (ret < 0) {
			uc->cmd = UCALL_BAD_EXIT;
			snprintf(uc->text, sizeof(uc->text), "KVM_RUN failed: %s",
				 strerror(-ret));
		} else if (!read_ucall(vcpu, uc)) {
			describe_exit(vcpu, uc);
		} else if (uc->cmd == UCALL_PRINT) {
			ktap_diag("guest vCPU %u: %s", vcpu->id, uc->text);
			continue;
		} else if (uc->cmd == UCALL_EXCEPTION) {
			describe_exception(uc);
		}
		break;
	}
	timer_delete(timer);
	if (ucall_failed(uc))
		append_step(vcpu, uc);
	return uc->cmd;
}
