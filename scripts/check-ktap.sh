#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-ktap.sh LOG: prove that each run_tests.sh output in LOG is what TAP
# and KTAP consumers accept: Perl's prove (TAP::Parser) must pass it, and
# the kernel's own KTAP parser (kunit.py parse, from Debian's linux-source)
# must count exactly the checks its summary line reports.  Exit 0 when
# both agree on every run.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

log=${1:-}
[ -f "$log" ] || die "usage: check-ktap.sh LOG (a run_tests.sh output)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each run's KTAP: from a "TAP version" line to its summary line (a
# log may hold several runs: make check-partitioned's; the unit tests'
# TAP before them has no summary and is left out).
awk -v dir="$work" '
	/^TAP version/ { n++; out = dir "/run." n; printf "" > out }
	/^summary:/ && out != "" { print > (out ".summary"); close(out); out = ""; next }
	out != "" { print > out }' "$log"
ls "$work"/run.*.summary >/dev/null 2>&1 || die "$log has no 'TAP version' line followed by a summary"
command -v prove >/dev/null || die "prove not found (Debian package perl)"
kunit=$("$KPF_TOP/scripts/fetch-source.sh")/tools/testing/kunit/kunit.py

rc=0 i=0 r=0
for sum in "$work"/run.*.summary; do
	tap=${sum%.summary}
	summary=$(cat "$sum")
	r=$((r + 1))
	i=$((i + 1))
	if prove -e cat "$tap" >/dev/null 2>&1; then
		echo "ok $i prove accepts run $r's output"
	else
		echo "not ok $i prove rejects run $r's output:"
		prove -e cat "$tap" 2>&1 | sed 's/^/#   /'
		rc=1
	fi
	counts=${summary#summary: }
	read -r pass _ fail _ skip _ <<<"${counts//,/}"
	got=$(python3 "$kunit" parse <"$tap" 2>&1 | sed -n 's/.*Ran \([0-9]*\) tests: \(.*\)$/\1 \2/p' | tail -n 1)
	want_total=$((pass + fail + skip))
	i=$((i + 1))
	if [ -z "$got" ]; then
		echo "not ok $i kunit.py parse found no results in run $r"
		rc=1
	elif [ "${got%% *}" -eq "$want_total" ]; then
		echo "ok $i kunit.py parse counts run $r's $want_total checks ($got)"
	else
		echo "not ok $i kunit.py parse counts '$got' in run $r, its summary says $want_total ($summary)"
		rc=1
	fi
done
exit $rc
