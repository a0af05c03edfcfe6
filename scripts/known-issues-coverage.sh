#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# known-issues-coverage.sh LOG...
#
# For a maintainer reviewing known-issues.cfg: reads run_tests.sh logs (the
# kernel matrix's, say) and prints, per entry of the table, how many checks
# it covered on each kernel and platform a log ran, beside the count it was
# reviewed at (per run: a test on one backend), then the entries no log
# exercised.  The logs must come from runs with this table (its line
# numbers name the entries).  An entry that covered
# fewer than reviewed on every kernel it applies to may be narrowed; one
# that covered more failed those checks, and the logs say which.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

[ $# -gt 0 ] || die "usage: $(basename "$0") LOG... (run_tests.sh output)"
for f in "$@"; do [ -r "$f" ] || die "cannot read '$f'"; done
table=${KPF_KNOWN_ISSUES:-$KPF_TOP/known-issues.cfg}

awk -v table="$table" '
	# Where each run ran: its kernel release, and the platform it names.
	FNR == 1 { where = FILENAME; sub(/.*\//, "", where); sub(/\.log$/, "", where) }
	/KPF-BEGIN kernel / { k = $0; sub(/.*KPF-BEGIN kernel /, "", k); sub(/,.*/, "", k); kernel[FILENAME] = k }
	/^# selftests: kvm-pmu-filter: / { run = $4 }
	/known-issues\.cfg:[0-9]+ \(/ {
		line = $0; sub(/.*known-issues\.cfg:/, "", line); n = line + 0
		c = $0; sub(/.* covered /, "", c); c += 0
		r = $0; sub(/.*reviewed at /, "", r); r += 0
		key = n SUBSEP FILENAME SUBSEP run
		if (!(key in got)) order[n] = order[n] " " FILENAME SUBSEP run
		got[key] = c; reviewed[n] = r
	}
	END {
		while ((getline l < table) > 0) {
			ln++
			if (l ~ /^[ \t]*(#|$)/) continue
			# TEST, CHECK (a "quoted" pattern may hold spaces), KERNELS.
			desc = l; sub(/^[ \t]+/, "", desc)
			if (match(desc, /^[^ \t]+[ \t]+"[^"]*"[ \t]+[^ \t]+/) ||
			    match(desc, /^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+/))
				desc = substr(desc, 1, RLENGTH)
			gsub(/[ \t]+/, " ", desc)
			if (!(ln in reviewed)) { unused = unused sprintf("  %d: %s\n", ln, desc); continue }
			printf "%d: %s (reviewed at %d)\n", ln, desc, reviewed[ln]
			m = split(order[ln], runs, " ")
			for (i = 1; i <= m; i++) {
				split(runs[i], fr, SUBSEP)
				w = fr[1]; sub(/.*\//, "", w); sub(/\.log$/, "", w)
				printf "    %-24s %-22s %-34s %d\n", kernel[fr[1]], w, fr[2], got[ln SUBSEP runs[i]]
			}
		}
		if (unused != "") printf "not exercised by these logs:\n%s", unused
	}' "$@"
