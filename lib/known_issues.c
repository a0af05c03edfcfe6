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

/* "6.12" as an upper bound holds every 6.12.y: compare as many parts as it has. */
static int version_cmp_upper(const char *v, const char *last)
{
	int parts = 1;

	for (const char *p = last; *p && *p != '+' && *p != '-'; p++)
		parts += *p == '.';
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

static char tags[256] = " ";

void known_issue_tag(const char *tag)
{
	size_t len = strlen(tags);

	if (!known_issue_has_tag(tag))
		snprintf(tags + len, sizeof(tags) - len, "%s ", tag);
}

bool known_issue_has_tag(const char *tag)
{
	char word[80];

	snprintf(word, sizeof(word), " %s ", tag);
	return strstr(tags, word);
}

/*
 * The patch sets the runner built this run's kernel with, from
 * $KPF_KERNEL_TAGS ("+DIR" per directory given to run_tests.sh -P).
 */
static void tag_kernel_patches(void)
{
	static bool done;
	const char *env = getenv("KPF_KERNEL_TAGS");
	char word[64];
	int n;

	for (; !done && env && sscanf(env, " %63s%n", word, &n) == 1; env += n)
		known_issue_tag(word);
	done = true;
}

/*
 * "RANGE@TAG@!TAG": the range holds @version, this run has every TAG and
 * none of the !TAGs.
 */
static bool kernels_match(char *kernels, const char *version)
{
	char *tag = strchr(kernels, '@');

	tag_kernel_patches();

	if (tag)
		*tag++ = '\0';
	if (!kernel_in_range(kernels, version))
		return false;
	while (tag && *tag) {
		char *next = strchr(tag, '@');

		if (next)
			*next++ = '\0';
		if (*tag == '!' ? known_issue_has_tag(tag + 1) : !known_issue_has_tag(tag))
			return false;
		tag = next;
	}
	return true;
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
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return true;
}

bool known_issue_line_matches(const char *line, const char *test, const char *check,
			      const char *version, char *ref, size_t ref_len)
{
	char t[64], c[256], range[64];

	line += strspn(line, " \t");
	if (*line == '#' || !next_field(&line, t, sizeof(t)) ||
	    !next_field(&line, c, sizeof(c)) || !next_field(&line, range, sizeof(range)))
		return false;
	line += strspn(line, " \t");
	if (!*line || *line == '\n')
		return false;
	if (strcmp(t, test) || fnmatch(c, check, 0) || !kernels_match(range, version))
		return false;
	snprintf(ref, ref_len, "%s", line);
	ref[strcspn(ref, "\n")] = '\0';
	return true;
}

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

bool known_issue(const char *check, char *ref, size_t ref_len)
{
	FILE *f = open_table();
	struct utsname u;
	char line[512];
	bool found = false;

	if (!f)
		return false;
	uname(&u);
	while (!found && fgets(line, sizeof(line), f))
		found = known_issue_line_matches(line, program_invocation_short_name, check,
						 u.release, ref, ref_len);
	fclose(f);
	return found;
}
