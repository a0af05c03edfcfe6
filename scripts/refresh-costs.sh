#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# refresh-costs.sh [--series DIR]
#
# Measures what each run of the suite costs in real seconds and writes
# costs.cfg, which run_tests.sh -j uses to balance its boots.  One boot at
# a time (-j 1), so that no run is slowed by another: Debian's 7.3 for the
# emulated runs and the harness's own, and the partitioned-PMU series (DIR,
# default ../shared/kernels/partitioned-pmu-v8 beside this checkout) for
# the partitioned ones, where they run for real.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

series=$KPF_TOP/../shared/kernels/partitioned-pmu-v8
[ "${1:-}" = --series ] && series=$2
[ -d "$series" ] || die "no partitioned-PMU series at $series (--series DIR)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"
"$KPF_TOP/run_tests.sh" -j 1 -B emulated >"$work/emulated.log" 2>&1 || true
"$KPF_TOP/run_tests.sh" -j 1 -B partitioned -P "$series" >"$work/partitioned.log" 2>&1 || true

# A run's cost: the "# real time" line after its result.
costs() {
	awk '/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / { name = $0; sub(/.*kvm-pmu-filter: /, "", name); sub(/ .*/, "", name); next }
	     /^# real time: / && name != "" { print name, $4; name = "" }' "$@"
}
{
	echo "# Real seconds each run took, one boot at a time, for run_tests.sh -j:"
	echo "# written by scripts/refresh-costs.sh ($(date -u +%Y-%m-%d), $(nproc) CPUs,"
	echo "# $(qemu-system-aarch64 --version | head -n 1))."
	# backend_differential only works where the kernel partitions.
	costs "$work/emulated.log" | grep -v '^backend_differential '
	costs "$work/partitioned.log" | grep -e '@partitioned ' -e '^backend_differential '
} >"$work/costs"
n=$(grep -vc '^#' "$work/costs")
[ "$n" -gt 0 ] || die "no run reported its real time: see the logs"
mv "$work/costs" "$KPF_TOP/costs.cfg"
note "costs.cfg: $n runs"
