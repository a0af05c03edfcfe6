/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest->host calls.  The guest writes the address of a struct ucall to a
 * page that has no memslot; the host sees an MMIO exit, reads the struct out
 * of guest memory and resumes the guest.
 */
#ifndef UCALL_H
#define UCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "guest_print.h"

#define UCALL_NR_ARGS	6
#define UCALL_TEXT_LEN	256

enum ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC,		/* values for the host; the guest continues */
	UCALL_PRINT,		/* a diagnostic line */
	UCALL_DONE,		/* the guest code returned */
	/* Failures; text says what happened. */
	UCALL_ASSERT,		/* GUEST_ASSERT*() failed */
	UCALL_EXCEPTION,	/* an exception nobody handled */
	UCALL_TIMEOUT,		/* made by the host: the guest ran too long */
	UCALL_BAD_EXIT,		/* made by the host: an exit no test expects */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_NR_ARGS];
	char text[UCALL_TEXT_LEN];
};

/* Guest side. */
void ucall(enum ucall_cmd cmd, unsigned int nargs, ...);
noreturn void guest_done(void);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void guest_fail(enum ucall_cmd cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Names what the guest does now; failures and timeouts report it. */
void guest_step(const char *name);
unsigned int guest_vcpu_id(void);

#define __NARGS(_0, _1, _2, _3, _4, _5, _6, n, ...) n
#define NARGS(...) __NARGS(_, ##__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)

#define GUEST_SYNC(...)	ucall(UCALL_SYNC, NARGS(__VA_ARGS__), ##__VA_ARGS__)
#define GUEST_DONE()	guest_done()

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_fail(UCALL_ASSERT, "%s:%d: %s",		\
				   __FILE__, __LINE__, #cond);		\
	} while (0)

#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (a), __b = (b);				\
		if (__a != __b)						\
			guest_fail(UCALL_ASSERT,			\
				   "%s:%d: %s == %s (%#lx != %#lx)",	\
				   __FILE__, __LINE__, #a, #b, __a, __b); \
	} while (0)

/* Host side. */
struct vcpu;

/*
 * Run @vcpu until its guest makes a call other than PRINT (printed as a
 * KTAP diagnostic).  Guest failures, timeouts and unexpected exits are
 * returned as their cmd with @uc->text saying what happened and in which
 * step, so the test can fail one case and go on to the next.
 */
enum ucall_cmd vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc);
/*
 * The step runner: run @vcpu to its next GUEST_SYNC, which must report
 * @step as its first value.  True with the values in @uc; else false, with
 * what happened instead (a guest failure, decoded; another step) in @why.
 */
bool vcpu_run_step(struct vcpu *vcpu, uint64_t step, struct ucall *uc, char *why, size_t len);
/* The same for a guest whose GUEST_SYNCs carry no step number: to the next one. */
bool vcpu_run_sync(struct vcpu *vcpu, struct ucall *uc, char *why, size_t len);

/*
 * A guest's run through its steps, as a test case's result keeps it: every
 * step came (ok), or why not, from the first that didn't.  The values the
 * steps reported sit beside it in the case's own result.
 */
struct guest_run {
	bool ok;
	char why[UCALL_TEXT_LEN];
};

static inline void guest_run_start(struct guest_run *run)
{
	run->ok = true;
	run->why[0] = '\0';
}

/*
 * The step runner over a guest_run: runs @vcpu to its next GUEST_SYNC,
 * which must report @step (vcpu_run_step()); after a failed step it runs
 * nothing more.  Returns @run->ok.
 */
bool guest_run_step(struct guest_run *run, struct vcpu *vcpu, uint64_t step, struct ucall *uc);
/* The same with vcpu_run_sync(). */
bool guest_run_sync(struct guest_run *run, struct vcpu *vcpu, struct ucall *uc);
static inline bool ucall_failed(const struct ucall *uc)
{
	return uc->cmd >= UCALL_ASSERT;
}
/* Seconds one vcpu_run_ucall() may take: $KPF_GUEST_TIMEOUT or 60. */
unsigned int ucall_timeout_seconds(void);

#endif
