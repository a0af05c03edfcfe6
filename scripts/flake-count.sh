#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# flake-count.sh [-n RUNS] [--jobs "J..."] [run_tests.sh options and tests]
#
# Runs the suite RUNS times (default 20), each a separate run_tests.sh
# invocation (separate boots under QEMU), and compares every run's results
# with the first: per test program and backend, the outcome of each check
# (ok, not ok, SKIP, XFAIL, by number).  --jobs "1 2" runs them at -j 1 and
# -j 2 in turn, so that any difference -j makes shows as a flake.  Prints
# the tests whose outcomes differed and, last,
#   flake-count: K of RUNS runs differed from the first (N checks a run)
# Exit 0 when K is 0, 1 otherwise, 2 when a run printed no results.
set -u -o pipefail
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

runs=20 jobs=''
while [ $# -gt 0 ]; do
	case "$1" in
	-n)
		case "${2:-}" in
		''|*[!0-9]*|0) die "-n needs a number of runs" ;;
		esac
		runs=$2
		shift 2 ;;
	--jobs)
		[ -n "${2:-}" ] || die "--jobs needs a list of -j values"
		for j in $2; do
			case "$j" in *[!0-9]*|0) die "--jobs: '$j' is not a number of boots" ;; esac
		done
		jobs=$2
		shift 2 ;;
	-h|--help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
# shellcheck disable=SC2206
joblist=($jobs)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

differed=0
for i in $(seq "$runs"); do
	start=$(date +%s)
	j=()
	[ ${#joblist[@]} -eq 0 ] || j=(-j "${joblist[$(((i - 1) % ${#joblist[@]}))]}")
	"$KPF_TOP/run_tests.sh" "${j[@]}" "$@" >"$work/log.$i" 2>&1
	rc=$?
	ktap_outcomes <"$work/log.$i" >"$work/out.$i"
	[ -s "$work/out.$i" ] || die "run $i printed no results (exit $rc): $(tail -n 3 "$work/log.$i" | tr '\n' ' ')"
	summary=$(grep '^summary:' "$work/log.$i" | tail -n 1)
	if [ "$i" -gt 1 ] && ! cmp -s "$work/out.1" "$work/out.$i"; then
		differed=$((differed + 1))
		tests=$(diff "$work/out.1" "$work/out.$i" | sed -n 's/^[<>] \([^ ]*\) .*/\1/p' | sort -u | tr '\n' ' ')
		echo "# run $i${j[*]:+ (${j[*]})}: exit $rc, $summary, $(($(date +%s) - start)) s; differs from run 1 in: $tests"
		cp "$work/log.$i" "${TMPDIR:-/tmp}/flake-count.run$i.log"
		echo "#   (its log: ${TMPDIR:-/tmp}/flake-count.run$i.log)"
	else
		echo "# run $i${j[*]:+ (${j[*]})}: exit $rc, $summary, $(($(date +%s) - start)) s"
	fi
done
echo "flake-count: $differed of $runs runs differed from the first ($(wc -l <"$work/out.1") checks a run)"
[ "$differed" -eq 0 ]
