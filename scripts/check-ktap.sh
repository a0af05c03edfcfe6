#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-ktap.sh LOG: prove that a run_tests.sh output (LOG, from its last
# "TAP version" line on: make check prints the unit tests' TAP first) is
# what TAP and KTAP consumers accept: Perl's prove
# (TAP::Parser) must pass it, and the kernel's own KTAP parser (kunit.py
# parse, from Debian's linux-source) must count exactly the checks the
# summary line reports.  Exit 0 when both agree.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

log=${1:-}
[ -f "$log" ] || die "usage: check-ktap.sh LOG (a run_tests.sh output)"
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
awk '/^TAP version/ { n = NR } { line[NR] = $0 }
     END { for (i = n; n && i <= NR; i++) if (line[i] !~ /^summary:/) print line[i] }' "$log" >"$tap"
[ -s "$tap" ] || die "$log has no 'TAP version' line"
summary=$(grep '^summary:' "$log" | tail -n 1)
[ -n "$summary" ] || die "$log has no summary line"

command -v prove >/dev/null || die "prove not found (Debian package perl)"
if prove -e cat "$tap" >/dev/null 2>&1; then
	echo "ok 1 prove accepts the output"
	rc=0
else
	echo "not ok 1 prove rejects the output:"
	prove -e cat "$tap" 2>&1 | sed 's/^/#   /'
	rc=1
fi

kunit=$("$KPF_TOP/scripts/fetch-source.sh")/tools/testing/kunit/kunit.py
counts=${summary#summary: }
read -r pass _ fail _ skip _ <<<"${counts//,/}"
got=$(python3 "$kunit" parse <"$tap" 2>&1 | sed -n 's/.*Ran \([0-9]*\) tests: \(.*\)$/\1 \2/p' | tail -n 1)
want_total=$((pass + fail + skip))
if [ -z "$got" ]; then
	echo "not ok 2 kunit.py parse found no results"
	rc=1
elif [ "${got%% *}" -eq "$want_total" ]; then
	echo "ok 2 kunit.py parse counts the summary's $want_total checks ($got)"
else
	echo "not ok 2 kunit.py parse counts '$got', the summary says $want_total ($summary)"
	rc=1
fi
exit $rc
