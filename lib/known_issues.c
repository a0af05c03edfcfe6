// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "known_issues.h"

/* Compares the first @parts numbers of two versions. */
static int version_cmp_parts(const char *a, const char *b, int parts)
{
	for (int i = 0; i < parts; i++) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a += *a == '.';
		b += *b == '.';
	}
	return 0;
}

int kernel_version_cmp(const char *a, const char *b)
{
	return version_cmp_parts(a, b, 3);
}

/* How many dot-separated numbers version @v spells out. */
static int version_parts(const char *v)
{
	int parts = 1;

	for (const char *p = v; *p && *p != '+' && *p != '-' && *p != '@'; p++)
		parts += *p == '.';
	return parts;
}

/* "6.12" as an upper bound holds every 6.12.y: compare as many parts as it has. */
static int version_cmp_upper(const char *v, const char *last)
{
	int parts = version_parts(last);

	return version_cmp_parts(v, last, parts > 3 ? 3 : parts);
}

bool kernel_in_range(const char *range, const char *version)
{
	char first[32] = "", last[32] = "";
	const char *dash = strchr(range, '-');

	if (!strcmp(range, "*"))
		return true;
	if (!dash)
		return kernel_version_cmp(version, range) >= 0 &&
		       version_cmp_upper(version, range) <= 0;
	snprintf(first, sizeof(first), "%.*s", (int)(dash - range), range);
	snprintf(last, sizeof(last), "%s", dash + 1);
	return (!*first || kernel_version_cmp(version, first) >= 0) &&
	       (!*last || version_cmp_upper(version, last) <= 0);
}

static char tags[512] = " ";

void known_issue_tag(const char *tag)
{
	size_t len = strlen(tags);

	if (*tag && !known_issue_has_tag(tag))
		snprintf(tags + len, sizeof(tags) - len, "%s ", tag);
}

bool known_issue_has_tag(const char *tag)
{
	char word[80];

	snprintf(word, sizeof(word), " %s ", tag);
	return strstr(tags, word);
}

void known_issue_tag_kernel(const char *release)
{
	const char *env = getenv("KPF_KERNEL_TAGS");
	const char *p = release + strspn(release, "0123456789.");
	char word[64];
	int n;

	for (; env && sscanf(env, " %63s%n", word, &n) == 1; env += n)
		known_issue_tag(word);
	/* The platform under QEMU: cpu-MODEL and kvm-MODE (run_tests.sh --platform). */
	for (env = getenv("KPF_PLATFORM_TAGS"); env && sscanf(env, " %63s%n", word, &n) == 1;
	     env += n)
		known_issue_tag(word);
	/* "7.3.4+partitioned-pmu-v8+partitioned-pmu-v8-fixes" */
	while (*p == '+') {
		n = 1 + strcspn(p + 1, "+");
		snprintf(word, sizeof(word), "%.*s", n, p);
		known_issue_tag(word);
		p += n;
	}
}

/*
 * The next whitespace-separated field of *@line, or a "double-quoted" one
 * (for check patterns with spaces), into @buf; false if there is none.
 */
static bool next_field(const char **line, char *buf, size_t len)
{
	const char *p = *line + strspn(*line, " \t"), *end;

	if (!*p || *p == '\n')
		return false;
	if (*p == '"') {
		end = strchr(++p, '"');
		if (!end)
			return false;
		*line = end + 1;
	} else {
		end = p + strcspn(p, " \t\n");
		*line = end;
	}
	if ((size_t)(end - p) >= len)
		return false;
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return true;
}

static bool is_pattern(const char *check)
{
	return strpbrk(check, "*?[");
}

/* The KERNELS field's range, without its @TAGs. */
static void kernels_range(const char *kernels, char *range, size_t len)
{
	snprintf(range, len, "%.*s", (int)strcspn(kernels, "@"), kernels);
}

int known_issue_parse(const char *text, unsigned int line, struct known_issue_entry *e,
		      char *why, size_t why_len)
{
	const char *p = text + strspn(text, " \t");
	char count[16], range[64], *end;

	*e = (struct known_issue_entry){ .line = line };
	if (!*p || *p == '\n' || *p == '#')
		return 0;
	if (!next_field(&p, e->test, sizeof(e->test)) ||
	    !next_field(&p, e->check, sizeof(e->check)) ||
	    !next_field(&p, e->kernels, sizeof(e->kernels)) ||
	    !next_field(&p, count, sizeof(count))) {
		snprintf(why, why_len, "line %u: not TEST CHECK KERNELS COUNT REFERENCE", line);
		return -1;
	}
	e->count = strtoul(count, &end, 10);
	if (*end || !e->count) {
		snprintf(why, why_len, "line %u: COUNT '%s' is not a number of checks", line, count);
		return -1;
	}
	p += strspn(p, " \t");
	snprintf(e->ref, sizeof(e->ref), "%s", p);
	e->ref[strcspn(e->ref, "\n")] = '\0';
	if (!*e->ref) {
		snprintf(why, why_len, "line %u: no reference", line);
		return -1;
	}
	kernels_range(e->kernels, range, sizeof(range));
	if (is_pattern(e->check) && (strchr(range, '-') || version_parts(range) != 3)) {
		snprintf(why, why_len,
			 "line %u: a pattern entry names the one kernel it was reviewed on (a.b.c), not '%s'",
			 line, range);
		return -1;
	}
	return 1;
}

/* Whether this run has every TAG and none of the !TAGs of "RANGE@TAG@!TAG". */
static bool tags_match(const char *kernels)
{
	const char *tag = strchr(kernels, '@');
	char word[64];

	while (tag) {
		size_t n = strcspn(++tag, "@");

		snprintf(word, sizeof(word), "%.*s", (int)n, tag);
		if (*word == '!' ? known_issue_has_tag(word + 1) : !known_issue_has_tag(word))
			return false;
		tag = strchr(tag, '@');
	}
	return true;
}

enum known_issue_match known_issue_entry_match(const struct known_issue_entry *e,
					       const char *test, const char *id,
					       const char *what, const char *version)
{
	const char *key = is_pattern(e->check) ? what : id;
	char range[64];

	if (!key || strcmp(e->test, test) || fnmatch(e->check, key, 0) || !tags_match(e->kernels))
		return KNOWN_ISSUE_NONE;
	kernels_range(e->kernels, range, sizeof(range));
	if (kernel_in_range(range, version))
		return KNOWN_ISSUE_LISTED;
	return is_pattern(e->check) ? KNOWN_ISSUE_STALE : KNOWN_ISSUE_NONE;
}

/* The table, read once per run. */
static struct {
	bool loaded;
	struct known_issue_entry *entries;
	unsigned int nr;
	char bad[300];		/* the first line that isn't an entry */
	char release[65];
} table;

static FILE *open_table(void)
{
	const char *env = getenv("KPF_KNOWN_ISSUES");
	char path[4096];
	ssize_t n;

	if (env)
		return fopen(env, "r");
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	strcpy(strrchr(path, '/') + 1, "known-issues.cfg");
	return fopen(path, "r");
}

void known_issue_reload(void)
{
	free(table.entries);
	table = (typeof(table)){ 0 };
}

static void load_table(void)
{
	struct known_issue_entry e;
	struct utsname u;
	unsigned int line = 0;
	char text[1024], why[256];
	FILE *f;

	if (table.loaded)
		return;
	table.loaded = true;
	uname(&u);
	snprintf(table.release, sizeof(table.release), "%s", u.release);
	known_issue_tag_kernel(u.release);
	f = open_table();
	if (!f)
		return;
	while (fgets(text, sizeof(text), f)) {
		int r = known_issue_parse(text, ++line, &e, why, sizeof(why));

		if (r < 0 && !*table.bad)
			snprintf(table.bad, sizeof(table.bad), "known-issues.cfg %s", why);
		if (r <= 0)
			continue;
		table.entries = realloc(table.entries, (table.nr + 1) * sizeof(e));
		if (!table.entries)
			abort();
		table.entries[table.nr++] = e;
	}
	fclose(f);
}

/*
 * The entry that covers the check, if any; else in @ki why none does: an id
 * entry that lists it but expects another failure, a stale pattern entry.
 */
static struct known_issue_entry *lookup(const char *id, const char *what, bool as_predicted,
					struct known_issue *ki)
{
	struct known_issue_entry *stale = NULL, *unpredicted = NULL;

	load_table();
	*ki = (struct known_issue){ KNOWN_ISSUE_NONE };
	if (*table.bad) {
		ki->match = KNOWN_ISSUE_BAD_TABLE;
		snprintf(ki->why, sizeof(ki->why), "%s", table.bad);
		return NULL;
	}
	for (unsigned int i = 0; i < table.nr; i++) {
		struct known_issue_entry *e = &table.entries[i];

		switch (known_issue_entry_match(e, program_invocation_short_name, id, what,
						table.release)) {
		case KNOWN_ISSUE_LISTED:
			if (!is_pattern(e->check) && !as_predicted) {
				unpredicted = unpredicted ? unpredicted : e;
				break;
			}
			ki->match = KNOWN_ISSUE_LISTED;
			ki->entry = e;
			return e;
		case KNOWN_ISSUE_STALE:
			stale = stale ? stale : e;
			break;
		default:
			break;
		}
	}
	if (unpredicted) {
		ki->match = KNOWN_ISSUE_UNPREDICTED;
		ki->entry = unpredicted;
	} else if (stale) {
		ki->match = KNOWN_ISSUE_STALE;
		ki->entry = stale;
	}
	return NULL;
}

void known_issue_failed(const char *id, const char *what, bool as_predicted,
			struct known_issue *ki)
{
	struct known_issue_entry *e = lookup(id, what, as_predicted, ki);

	if (e && ++e->covered > e->count)
		ki->match = KNOWN_ISSUE_OVER;
}

bool known_issue_listed(const char *id, const char *what, struct known_issue *ki)
{
	struct known_issue_entry *e = lookup(id, what, true, ki);

	if (e)
		e->held++;
	return e;
}

void known_issue_report(void (*diag)(const char *fmt, ...))
{
	for (unsigned int i = 0; i < table.nr; i++) {
		const struct known_issue_entry *e = &table.entries[i];

		if (e->covered)
			diag("known-issues.cfg:%u (%s) covered %u check%s, reviewed at %u",
			     e->line, e->check, e->covered, e->covered == 1 ? "" : "s", e->count);
		if (e->held && !e->covered)
			diag("known-issues.cfg:%u (%s) did not reproduce: its %u check%s held on this kernel (%s)",
			     e->line, e->check, e->held, e->held == 1 ? "" : "s", e->ref);
	}
}
