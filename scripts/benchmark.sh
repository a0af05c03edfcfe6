#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# benchmark.sh [--quick] [--full-build] [-j N]
#
# Prints the figures that decide whether the suite fits its users' loops,
# each measured here and now at -j N (default: the online CPUs) and, in the
# same invocation, at -j 1 (one QEMU boot at a time), with the target it is
# held to on a 2-core machine:
#   suite               the whole suite on Debian's 7.3, both backends
#                       (make check's run)                       <= 40 s
#   check-partitioned   make check-partitioned, kernels cached   <= 120 s
#   bisect step         a one-file KVM change: incremental build,
#                       boot, one named test                     <= 45 s
#   mutation harness    scripts/mutate.sh, every mutant          <= 12 min
#   CI                  .ci/run from a clean clone, caches warm  <= 6 min
# and, once: the kernel build (from scratch with --full-build or the
# first time, else incremental), the boot to the first test, and the
# suite's slowest runs (host real time beside the guest clock).  --quick
# leaves out the mutation harness and CI (about 20 minutes of the total).  Nothing here passes or
# fails: the figures are for reading.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

quick=0 full=0 jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--full-build) full=1 ;;
	-j) [ $# -ge 2 ] || die "-j needs a number"; jobs=$2; shift ;;
	-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
case "$jobs" in ''|*[!0-9]*|0) die "-j needs a number of boots, not '$jobs'" ;; esac

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# outcome LOG RC: the run's last summary (or kill count), and its exit
# status when it failed: a figure of a failed run is no figure.
outcome() {
	local last
	last=$(grep '^summary:\|killed' "$1" | tail -n 1)
	[ "$2" -eq 0 ] || last="FAILED (exit $2): ${last:-$(tail -n 1 "$1")}"
	echo "$last"
}

# figure NAME TARGET CMD...: CMD at -j $jobs, then at -j 1, one line, and
# a second line for the -j 1 run when it ended differently.
figure() {
	local name=$1 target=$2 t a b oa ob
	shift 2
	t=$(now)
	KPF_JOBS=$jobs "$@" >"$log/$name.j$jobs" 2>&1
	oa=$(outcome "$log/$name.j$jobs" $?)
	a=$(since "$t")
	t=$(now)
	KPF_JOBS=1 "$@" >"$log/$name.j1" 2>&1
	ob=$(outcome "$log/$name.j1" $?)
	b=$(since "$t")
	printf '%-18s %6s s at -j %s (-j 1: %s s; target %s)  %s\n' "$name" "$a" "$jobs" "$b" \
		"$target" "$oa"
	[ "$ob" = "$oa" ] || printf '%-18s %6s   at -j 1: %s\n' '' '' "$ob"
}

make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"
tree=$("$KPF_TOP/scripts/fetch-source.sh")

# The kernel the bisect step rebuilds, built once first.
[ $full -eq 1 ] && rm -rf "$KPF_CACHE/build/benchmark"
how=incremental
[ -d "$KPF_CACHE/build/benchmark" ] || how='from scratch, ccache warm or not'
t=$(now)
image=$("$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name benchmark 2>/dev/null) ||
	die "building $tree failed"
echo "kernel build ($how): $(since "$t") s"

out=$("$KPF_TOP/run_tests.sh" --kernel "$image" harness_exception_levels 2>&1)
echo "boot to the first test: $(echo "$out" | sed -n 's/.*reached the tests after \([0-9.]*\) s real time/\1/p' | head -n 1) s"

figure suite "40 s" "$KPF_TOP/run_tests.sh"
echo "  slowest runs at -j 1 (host real time; guest clock):"
awk '/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / {
	     run = $0; sub(/.*kvm-pmu-filter: /, "", run); sub(/ .*/, "", run)
	     guest = "-"; if (/# time /) { guest = $0; sub(/.*# time /, "", guest); sub(/s.*/, "", guest) } }
     /^# real time: / { print $4, run, guest }' "$log/suite.j1" |
	sort -rn | head -n 5 | awk '{ printf "    %-36s %6.1f s (guest %s s)\n", $2, $1, $3 }'

# The series kernels, built once before they are timed.
make -s -C "$KPF_TOP" check-partitioned >/dev/null 2>&1
figure check-partitioned "120 s" make -s -C "$KPF_TOP" check-partitioned

touch "$tree/arch/arm64/kvm/pmu-emul.c"
"$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name benchmark >/dev/null 2>&1
bisect_step() {
	touch "$tree/arch/arm64/kvm/pmu-emul.c"
	"$KPF_TOP/run_tests.sh" --bisect --kernel-tree "$tree" filter_cpu_cycles
}
figure "bisect step" "45 s" bisect_step

[ $quick -eq 1 ] && exit 0

figure "mutation harness" "12 min" "$KPF_TOP/scripts/mutate.sh"

# CI as it runs: a clean clone beside the shared folder, caches warm.
ci_clone() {
	local dir
	dir=$(mktemp -d)
	git clone -q "$KPF_TOP" "$dir/main" &&
		{ [ ! -d "$KPF_TOP/../shared" ] || ln -s "$(cd "$KPF_TOP/../shared" && pwd)" "$dir/shared"; } &&
		(cd "$dir/main" && CI=true bash .ci/run)
	local rc=$?
	rm -rf "$dir"
	return $rc
}
figure CI "6 min" ci_clone
