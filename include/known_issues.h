/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known kernel bugs, from a reviewed table (known-issues.cfg): a failed
 * check listed there for the running kernel is reported as XFAIL with its
 * reference, so a gate stays green on known bugs and red on new ones while
 * every finding stays visible in every run.
 *
 * Table lines: TEST CHECK KERNELS REFERENCE...
 *   CHECK is a check's stable id (ktap_check_known()) or a shell pattern
 *   of a check's description (ktap_check()), "double-quoted" if it has
 *   spaces.
 *   KERNELS is FIRST-LAST, FIRST- (not fixed yet) or '*'; versions are
 *   compared numerically on their leading "a.b.c" (uname -r's).  It may
 *   end in @TAG...: the entry then holds only for runs with every TAG
 *   (known_issue_tag()), such as the PMU backend a test runs on, so that a
 *   bug of an out-of-tree series is not expected of the kernel it is based
 *   on.
 */
#ifndef KNOWN_ISSUES_H
#define KNOWN_ISSUES_H

#include <stdbool.h>
#include <stddef.h>

/* -1, 0, 1 as version @a is below, equal to or above @b ("7.3.4+deb13" etc). */
int kernel_version_cmp(const char *a, const char *b);
/* Whether @range (FIRST-LAST, FIRST-, -LAST or '*') holds @version. */
bool kernel_in_range(const char *range, const char *version);
/* Marks this run with @tag (at most a few, each under 64 characters). */
void known_issue_tag(const char *tag);
bool known_issue_has_tag(const char *tag);

/*
 * Whether table @line lists (@test, @check) for kernel @version; if so,
 * copies its reference into @ref.
 */
bool known_issue_line_matches(const char *line, const char *test, const char *check,
			      const char *version, char *ref, size_t ref_len);

/*
 * Looks (@check of this program, running kernel) up in the table at
 * $KPF_KNOWN_ISSUES, or known-issues.cfg beside this program.
 */
bool known_issue(const char *check, char *ref, size_t ref_len);

#endif
