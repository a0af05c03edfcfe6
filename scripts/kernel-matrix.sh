#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-matrix.sh [--platforms LIST|all] [--lava] [--build-dir DIR] [--no-run]
#                  [SERIES...]
#
# Runs the suite on Debian's prebuilt arm64 kernels (default: 6.1, 6.12,
# 7.2 and 7.3, or the series named) on each platform of platforms.cfg named
# (a CPU model and a KVM mode; default: max), and prints the matrix: with
# one platform, test x kernel (PASS, FAIL, SKIP for a whole plan skipped,
# with the numbers of XFAIL and skipped checks); then, for every kernel and
# platform, the summary and the tests that failed.  Runs go several at a
# time where the machine has the cores (each run is two QEMU boots).
# Logs: $KPF_CACHE/matrix/SERIES@PLATFORM.log.  Exit 0 when no run failed.
#
# --lava: each run is a LAVA job (scripts/lava-job.sh, with the words of
# $KPF_LAVA_JOB_ARGS: --url-base, --device-type...) submitted by
# scripts/lava-submit.sh to its server, which queues and runs them; the
# matrix is printed from the logs collected, as locally.  Logs:
# $KPF_CACHE/matrix-lava/.  --build-dir DIR takes the test binaries from
# DIR instead of building them; --no-run prints the matrix of the logs an
# earlier run left.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

platforms=max lava=0 bindir='' run=1
while [ $# -gt 0 ]; do
	case "$1" in
	--platforms) [ $# -ge 2 ] || die "--platforms needs a list"; platforms=$2; shift ;;
	--lava) lava=1 ;;
	--no-run) run=0 ;;
	--build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; bindir=$2; shift ;;
	-h|--help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- 6.1 6.12 7.2 7.3
[ "$platforms" = all ] && platforms=$(platform_names | tr '\n' ',')
platforms=$(echo "$platforms" | tr ',' ' ')
for p in $platforms; do
	platform_of "$p" >/dev/null || exit 1
done

logs=$KPF_CACHE/matrix
[ $lava -eq 1 ] && logs=$KPF_CACHE/matrix-lava
mkdir -p "$logs"
if [ $run -eq 0 ]; then
	:
elif [ -z "$bindir" ]; then
	make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"
	bindir=$KPF_TOP/build
fi
[ $run -eq 0 ] || [ -d "$bindir" ] || die "no test binaries in '$bindir'"
tests=$("$KPF_TOP/run_tests.sh" --list)
for series in "$@"; do
	[ $run -eq 0 ] && break
	"$KPF_TOP/scripts/fetch-kernel.sh" "$series" >/dev/null || die "no Debian kernel $series"
done

# One run: the suite on one kernel and platform.
run_one() {
	local series=$1 platform=$2 image start
	image=$("$KPF_TOP/scripts/fetch-kernel.sh" "$series")
	start=$(date +%s)
	"$KPF_TOP/run_tests.sh" -j 2 -b "$bindir" --platform "$platform" --kernel "$image" \
		>"$logs/$series@$platform.log" 2>&1
	echo "$(( $(date +%s) - start ))" >"$logs/$series@$platform.time"
	note "$series on $platform: $(grep '^summary:' "$logs/$series@$platform.log" | tail -n 1) ($(cat "$logs/$series@$platform.time") s)"
}

# Two cores a run: as many runs at once as the machine has pairs of cores.
at_once=$(( $(nproc) / 2 ))
[ "$at_once" -ge 1 ] || at_once=1
if [ $run -eq 0 ]; then
	for platform in $platforms; do
		for series in "$@"; do
			[ -f "$logs/$series@$platform.log" ] || die "no log of $series on $platform in $logs: run without --no-run"
		done
	done
elif [ $lava -eq 1 ]; then
	# One job a run, all submitted at once: LAVA spreads them.
	jobdir=$(mktemp -d "${TMPDIR:-/tmp}/kpf-matrix.XXXXXX")
	trap 'rm -rf "$jobdir"' EXIT
	for platform in $platforms; do
		for series in "$@"; do
			# shellcheck disable=SC2086 # $KPF_LAVA_JOB_ARGS is words
			"$KPF_TOP/scripts/lava-job.sh" --kernel "$("$KPF_TOP/scripts/fetch-kernel.sh" "$series")" \
				--platform "$platform" --build-dir "$bindir" ${KPF_LAVA_JOB_ARGS:-} \
				>"$jobdir/$series@$platform.yaml" || die "cannot write the LAVA job of $series on $platform"
		done
	done
	"$KPF_TOP/scripts/lava-submit.sh" --out "$logs" "$jobdir"/*.yaml >&2
	[ $? -eq 2 ] && die "the LAVA jobs were not run (see above)"
else
	for platform in $platforms; do
		for series in "$@"; do
			while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do wait -n; done
			run_one "$series" "$platform" &
		done
	done
	wait
fi

# Per test: its top-level line, and its nested XFAIL / SKIP counts.
cells() {
	awk '
		/^    ok .* # XFAIL/ { xf++ }
		/^    ok .* # SKIP/ { sk++ }
		/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / {
			name = $0; sub(/.*kvm-pmu-filter: /, "", name); sub(/ .*/, "", name)
			st = /^not ok/ ? "FAIL" : / # SKIP/ ? "SKIP" : "PASS"
			print name, st, xf + 0, sk + 0; xf = 0; sk = 0
		}' "$1"
}

declare -A cell version
failed=0
for platform in $platforms; do
	for series in "$@"; do
		log=$logs/$series@$platform.log
		version[$series]=$(sed -n 's/.*KPF-BEGIN kernel \([^,]*\),.*/\1/p' "$log" | head -n 1)
		grep -q '^summary: [0-9]* passed, 0 failed' "$log" || failed=1
		while read -r t status xf sk; do
			c=$status
			if [ "$status" = PASS ] && { [ "$xf" -gt 0 ] || [ "$sk" -gt 0 ]; }; then
				[ "$xf" -gt 0 ] && c="$c ${xf}xf"
				[ "$sk" -gt 0 ] && c="$c ${sk}sk"
			fi
			cell[$t,$series,$platform]=$c
		done < <(cells "$log")
	done
done

if [ "$(echo "$platforms" | wc -w)" -eq 1 ]; then
	printf '\n%-30s' "test ($platforms)"
	for s in "$@"; do printf ' %-18s' "$s (${version[$s]:-no boot})"; done
	echo
	for t in $tests; do
		printf '%-30s' "$t"
		for s in "$@"; do printf ' %-18s' "${cell[$t,$s,$platforms]:-NOT RUN}"; done
		echo
	done
	echo
	echo "xf: checks reported XFAIL (known-issues.cfg), sk: checks skipped there"
fi

echo
printf '%-20s %-14s %-6s %-44s %5s  %s\n' kernel platform result summary time "failed tests"
for platform in $platforms; do
	for series in "$@"; do
		log=$logs/$series@$platform.log
		summary=$(grep '^summary:' "$log" | tail -n 1)
		fails=$(sed -n 's/^not ok [0-9]* \(selftests: kvm-pmu-filter: \)\{0,1\}\([^ ]*\).*/\2/p' "$log" | tr '\n' ' ')
		result=PASS
		case "$summary" in *" 0 failed"*) ;; *) result=FAIL ;; esac
		printf '%-20s %-14s %-6s %-44s %4ss  %s\n' "${version[$series]:-$series (no boot)}" \
			"$platform" "$result" "${summary#summary: }" "$(cat "$logs/$series@$platform.time")" "$fails"
	done
done
exit $failed
