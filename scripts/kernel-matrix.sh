#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-matrix.sh [SERIES...]
#
# Runs the whole suite on Debian's prebuilt arm64 kernels (default: 6.1,
# 6.12, 7.2 and 7.3), one QEMU boot each, and prints a matrix of test x
# kernel: PASS, FAIL, SKIP (the test's whole plan skipped, with the
# feature the kernel lacks), or PASS with the number of known issues
# (XFAIL) and skipped checks.  Logs: $KPF_CACHE/matrix/SERIES.log.
# Exit 0 when no kernel has a failing test.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

[ $# -gt 0 ] || set -- 6.1 6.12 7.2 7.3
logs=$KPF_CACHE/matrix
mkdir -p "$logs"
make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"
tests=$("$KPF_TOP/run_tests.sh" --list)

declare -A cell version
failed=0
for series in "$@"; do
	image=$("$KPF_TOP/scripts/fetch-kernel.sh" "$series") || die "no Debian kernel $series"
	note "running the suite on Debian $series ($image)"
	start=$(date +%s)
	"$KPF_TOP/run_tests.sh" --kernel "$image" >"$logs/$series.log" 2>&1
	version[$series]=$(sed -n 's/^# KPF-BEGIN kernel \([^,]*\),.*/\1/p' "$logs/$series.log")
	note "$series: $(tail -n 1 "$logs/$series.log") ($(( $(date +%s) - start )) s)"
	# Per test: its top-level line, and its nested XFAIL / SKIP counts.
	while read -r t status xf sk; do
		case "$status" in
		FAIL) failed=1 ;;
		esac
		c=$status
		if [ "$status" = PASS ] && { [ "$xf" -gt 0 ] || [ "$sk" -gt 0 ]; }; then
			c="PASS"
			[ "$xf" -gt 0 ] && c="$c ${xf}xf"
			[ "$sk" -gt 0 ] && c="$c ${sk}sk"
		fi
		cell[$t,$series]=$c
	done < <(awk '
		/^    ok .* # XFAIL/ { xf++ }
		/^    ok .* # SKIP/ { sk++ }
		/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / {
			name = $0; sub(/.*kvm-pmu-filter: /, "", name); sub(/ .*/, "", name)
			st = /^not ok/ ? "FAIL" : / # SKIP/ ? "SKIP" : "PASS"
			print name, st, xf + 0, sk + 0; xf = 0; sk = 0
		}' "$logs/$series.log")
	grep -q '^not ok 1 boot' "$logs/$series.log" && failed=1
done

printf '\n%-26s' "test"
for s in "$@"; do printf ' %-16s' "$s (${version[$s]:-no boot})"; done
echo
for t in $tests; do
	printf '%-26s' "$t"
	for s in "$@"; do printf ' %-16s' "${cell[$t,$s]:-NOT RUN}"; done
	echo
done
echo
echo "xf: checks reported XFAIL (known-issues.cfg), sk: checks skipped on that kernel"
exit $failed
