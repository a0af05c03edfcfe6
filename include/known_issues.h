/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known kernel bugs, from a reviewed table (known-issues.cfg).  A check
 * that fails exactly as a listed finding predicts is reported as XFAIL
 * with the finding's reference, so a gate stays green on known bugs and
 * red on everything else.
 *
 * Table lines: TEST CHECK KERNELS COUNT REFERENCE...
 *   CHECK is a check's stable id (ktap_check_known(), which also says
 *   whether the failure is the one the finding predicts) or a shell
 *   pattern of check descriptions (ktap_check()), "double-quoted" if it
 *   has spaces.
 *   KERNELS is FIRST-LAST, FIRST- (not fixed yet), -LAST or one version;
 *   versions compare numerically on their leading "a.b.c" (uname -r's).
 *   A pattern entry covers whatever fails, so it holds on the one kernel
 *   it was reviewed on: its KERNELS is one full version, a.b.c.  KERNELS
 *   may end in @TAG and @!TAG: the entry then holds only for runs with
 *   every TAG and none of the !TAGs (known_issue_tag()).
 *   COUNT is how many checks of one run of TEST (one backend) the entry
 *   covers, as reviewed.
 *
 * An entry can't silently grow: in a run, the check that would be its
 * COUNT+1-th is a failure naming the entry, and so is a check a pattern
 * entry would cover on a kernel other than its own.
 */
#ifndef KNOWN_ISSUES_H
#define KNOWN_ISSUES_H

#include <stdbool.h>
#include <stddef.h>

/* -1, 0, 1 as version @a is below, equal to or above @b ("7.3.4+deb13" etc). */
int kernel_version_cmp(const char *a, const char *b);
/* Whether @range (FIRST-LAST, FIRST-, -LAST, one version or '*') holds @version. */
bool kernel_in_range(const char *range, const char *version);

/* Marks this run with @tag (at most a few, each under 64 characters). */
void known_issue_tag(const char *tag);
bool known_issue_has_tag(const char *tag);
/*
 * Tags the run with the patch sets its kernel carries: each word of
 * $KPF_KERNEL_TAGS ("+NAME", from run_tests.sh -P DIR or --kernel-tag
 * NAME) and each "+NAME" part of the kernel release @release after its
 * version (scripts/build-kernel.sh builds "7.3.4+SERIES+FIXES"); and with
 * the platform, $KPF_PLATFORM_TAGS ("cpu-MODEL kvm-MODE", run_tests.sh
 * --platform).
 */
void known_issue_tag_kernel(const char *release);

struct known_issue_entry {
	unsigned int line;		/* in the table, from 1 */
	char test[64];
	char check[256];
	char kernels[128];
	unsigned int count;		/* checks a run, as reviewed */
	char ref[256];
	unsigned int covered;		/* checks covered so far in this run */
	unsigned int held;		/* checks it lists that held in this run */
};

/*
 * Parses table line @text (number @line): 1 for an entry, 0 for a blank
 * or comment line, -1 for a line that is neither, with the reason in
 * @why.
 */
int known_issue_parse(const char *text, unsigned int line, struct known_issue_entry *e,
		      char *why, size_t why_len);

enum known_issue_match {
	KNOWN_ISSUE_NONE,	/* no entry lists the check for this kernel and run */
	KNOWN_ISSUE_LISTED,	/* an entry lists it, within its reviewed count */
	KNOWN_ISSUE_UNPREDICTED, /* an id entry lists it, but it failed otherwise */
	KNOWN_ISSUE_OVER,	/* an entry lists it but covered its count already */
	KNOWN_ISSUE_STALE,	/* a pattern entry lists it, for another kernel */
	KNOWN_ISSUE_BAD_TABLE,	/* the table has a line that isn't an entry */
};

/*
 * How entry @e holds for a check of @test on kernel @version: NONE, LISTED
 * or STALE.  An id entry looks at the check's stable id @id (NULL if it
 * has none), a pattern entry at its description @what.
 */
enum known_issue_match known_issue_entry_match(const struct known_issue_entry *e,
					       const char *test, const char *id,
					       const char *what, const char *version);

struct known_issue {
	enum known_issue_match match;
	const struct known_issue_entry *entry;	/* NULL for NONE */
	char why[300];				/* BAD_TABLE: the bad line */
};

/*
 * Looks a failed check of this program up in the table ($KPF_KNOWN_ISSUES,
 * or known-issues.cfg beside the program) for the running kernel: @id is
 * its stable id (NULL if none), @what its description, @as_predicted
 * whether it failed as the finding behind @id predicts.  A pattern entry
 * covers any failure, an id entry a predicted one; the failure is counted
 * against the entry that covers it.
 */
void known_issue_failed(const char *id, const char *what, bool as_predicted,
			struct known_issue *ki);
/* The same lookup for a check that held: counted as held.  True if listed. */
bool known_issue_listed(const char *id, const char *what, struct known_issue *ki);
/* One diagnostic line per entry that covered checks in this run. */
void known_issue_report(void (*diag)(const char *fmt, ...));

/* For the unit tests: the table is read again from $KPF_KNOWN_ISSUES. */
void known_issue_reload(void);

#endif
