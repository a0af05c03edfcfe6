#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# benchmark.sh [--full-build]
#
# Prints the figures that decide how usable the suite is for bisecting and
# for the mutation harness, each measured here and now:
#   kernel build (from scratch, with --full-build; else the cached build),
#   incremental rebuild after touching one KVM file, boot to the first test,
#   the whole suite in one boot, and one mutant end to end.
# Nothing here is a pass/fail check.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

full=0
[ "${1:-}" = --full-build ] && full=1

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

make -s -C "$KPF_TOP" >/dev/null
tree=$("$KPF_TOP/scripts/fetch-source.sh")

if [ $full -eq 1 ]; then
	rm -rf "$KPF_CACHE/build/benchmark"
	command -v ccache >/dev/null && ccache -C >/dev/null
fi
t=$(now)
image=$("$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name benchmark 2>/dev/null)
echo "kernel build ($([ $full -eq 1 ] && echo 'from scratch, cold ccache' || echo 'cached')): $(since "$t") s"

touch "$tree/arch/arm64/kvm/pmu-emul.c"
t=$(now)
"$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name benchmark >/dev/null 2>&1
echo "incremental rebuild after touching arch/arm64/kvm/pmu-emul.c: $(since "$t") s"

out=$("$KPF_TOP/run_tests.sh" --kernel "$image" harness_exception_levels 2>&1)
echo "boot to the first test: $(echo "$out" | sed -n 's/.*reached the tests after \([0-9.]*\) s real time/\1/p') s"

t=$(now)
out=$("$KPF_TOP/run_tests.sh" --kernel "$image" 2>&1) || true
echo "whole suite, one boot: $(since "$t") s ($(echo "$out" | tail -n 1))"

t=$(now)
"$KPF_TOP/scripts/mutate.sh" 01-filter-check-skipped >/dev/null 2>&1 || true
echo "one mutant end to end (baseline run + mutant build and run): $(since "$t") s"
