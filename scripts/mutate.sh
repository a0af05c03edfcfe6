#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mutate.sh [--mutants DIR] [--tests "TEST..."] [--lava] [MUTANT...]
#
# The suite's judge: builds Debian's linux-source with each mutant (a small,
# realistic bug in KVM's PMU code, mutants/*.patch) applied in turn, boots
# it, runs the whole suite, and prints a kill matrix (mutant x test) and
# "killed K of N".  The kernel is Debian's as shipped, its known bugs
# included, as a gate sees it.  The unmodified kernel runs first and must
# pass: a suite that fails on it would "kill" every mutant for nothing.
#
# A mutant is killed only by a failure that is not an expected one: in the
# matrix K is a test with a failed check.  M is a test where the mutant
# only turned checks that pass on the unmodified kernel into XFAIL: the
# known-issues table hid it.  Any M is reported as "masked", and such a
# mutant counts as not killed.
#
#   --mutants DIR  patches to use (default: mutants/ of this repository)
#   --tests LIST   run only these tests (default: the whole suite); the
#                  matrix then covers them only
#   --lava         each mutant's suite runs as LAVA jobs (run_tests.sh
#                  --lava: lava/README.md); the kernels are built here,
#                  one after another
#   MUTANT...      only these (file names, with or without .patch)
#
# Builds are incremental in one work tree ($KPF_CACHE/src/mutant-tree):
# each mutant is applied, built, tested and reverted.  Logs are kept in
# $KPF_CACHE/mutants/.  Exit 0 when every mutant was killed, 1 otherwise.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

mutdir=$KPF_TOP/mutants
only=()
tests=
lava=
while [ $# -gt 0 ]; do
	case "$1" in
	--mutants) [ $# -ge 2 ] || die "--mutants needs a directory"; mutdir=$2; shift ;;
	--tests) [ $# -ge 2 ] || die "--tests needs test names"; tests=$2; shift ;;
	--lava) lava=--lava ;;
	-h|--help) sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) only+=("${1%.patch}") ;;
	esac
	shift
done

mutants=()
for p in "$mutdir"/*.patch; do
	[ -f "$p" ] || die "no *.patch in '$mutdir'"
	m=$(basename "$p" .patch)
	if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qx "$m"; then
		mutants+=("$m")
	fi
done
[ ${#mutants[@]} -gt 0 ] || die "none of the named mutants is in '$mutdir'"

logs=$KPF_CACHE/mutants
mkdir -p "$logs"
pristine=$("$KPF_TOP/scripts/fetch-source.sh") || die "no kernel source"
tree=$KPF_CACHE/src/mutant-tree
applied=$tree/.kpf-mutant

# A work tree of our own, back to pristine if a run was interrupted.
if [ ! -f "$tree/Makefile" ]; then
	note "copying $(basename "$pristine") to $tree"
	cp -a --reflink=auto "$pristine" "$tree" || die "cannot copy the source tree"
elif [ -f "$applied" ]; then
	patch -d "$tree" -p1 -R -s <"$mutdir/$(cat "$applied").patch" >/dev/null ||
		die "cannot revert $(cat "$applied"); remove $tree and run again"
	rm -f "$applied"
fi

# A snapshot of the tests, so that every mutant meets the same suite.  The
# mutants are in the emulated PMU (Debian's kernel has no other): its runs.
all_runs=$("$KPF_TOP/run_tests.sh" --backend emulated --list)
runs=
for t in $tests; do
	r=$(echo "$all_runs" | grep -x -e "$t" -e "$t@emulated") || die "unknown test '$t'"
	runs="$runs $r"
done
tests=${runs:-$all_runs}
make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"
bin=$logs/bin
rm -rf "$bin"
mkdir -p "$bin"
for t in $tests; do cp "$KPF_TOP/build/${t%@*}" "$bin/" || die "no test binary ${t%@*}"; done

# run NAME: build the tree as it is now and run the suite; prints the
# failed tests ("KILLED-BY name ...") or BUILD-FAILED / BOOT-FAILED; the
# run's check outcomes go to $logs/NAME.outcomes.
run() {
	local name=$1 image start
	start=$(date +%s)
	if ! image=$("$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name mutant-tree \
			2>"$logs/$name.build"); then
		echo "BUILD-FAILED"
		return
	fi
	# A mutant that hangs guests (an interrupt never cleared, say) fails
	# in seconds of guest clock: no test takes more than 10 unmutated.  One
	# that livelocks the host kernel only QEMU's own timeout would end, after
	# half an hour: past $budget s (4 times the unmodified kernel's run) the
	# suite has hung, which is its failure, as a CI job's timeout would say.
	# shellcheck disable=SC2086 # test names are words
	KPF_GUEST_TIMEOUT=${KPF_GUEST_TIMEOUT:-15} timeout -k 10 "$budget" \
		"$KPF_TOP/run_tests.sh" $lava --kernel "$image" --build-dir "$bin" --backend emulated \
		--timeout 120 $tests >"$logs/$name.log" 2>&1
	case $? in
	124|137)
		# The runs that failed before, and those still running (the
		# boots' output so far: qemu-shards.sh prints it when stopped).
		note "$name: the suite hung: stopped after $budget s in $(awk '
			/^# selftests: kvm-pmu-filter: / { open[$4] = 1 }
			/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / {
				r = $0; sub(/.*kvm-pmu-filter: /, "", r); sub(/ .*/, "", r); delete open[r] }
			END { for (r in open) printf "%s ", r }' "$logs/$name.log")"
		echo "HUNG $(sed -n 's/^not ok [0-9]* selftests: kvm-pmu-filter: \([a-z0-9_]*\).*/\1/p' \
			"$logs/$name.log" | tr '\n' ' ')"
		return ;;
	esac
	if grep -q '^not ok 1 boot' "$logs/$name.log"; then
		echo "BOOT-FAILED"
		return
	fi
	ktap_outcomes <"$logs/$name.log" >"$logs/$name.outcomes"
	echo "KILLED-BY $(sed -n 's/^not ok [0-9]* selftests: kvm-pmu-filter: \([a-z0-9_]*\).*/\1/p' \
		"$logs/$name.log" | tr '\n' ' ')"
	note "$name: $(tail -n 1 "$logs/$name.log") ($(( $(date +%s) - start )) s)"
}

note "baseline: the unmodified kernel"
budget=1800
start=$(date +%s)
base=$(run baseline)
budget=$(( 4 * ($(date +%s) - start) ))
[ "$budget" -ge 120 ] || budget=120
case "$base" in
"KILLED-BY ") ;;
*) die "the unmodified kernel does not pass ($base): see $logs/baseline.log" ;;
esac

# masked NAME: the tests where NAME's run has XFAIL checks that passed or
# skipped in the baseline run.
masked() {
	awk 'NR == FNR { base[$1 " " $2] = $3; next }
	     $3 == "xfail" && base[$1 " " $2] != "xfail" { sub(/@.*/, "", $1); print $1 }' \
		"$logs/baseline.outcomes" "$logs/$1.outcomes" | sort -u | tr '\n' ' '
}

declare -A result hidden
killed=0 nmasked=0
for m in "${mutants[@]}"; do
	patch -d "$tree" -p1 -s <"$mutdir/$m.patch" >/dev/null || die "$m does not apply"
	echo "$m" >"$applied"
	result[$m]=$(run "$m")
	patch -d "$tree" -p1 -R -s <"$mutdir/$m.patch" >/dev/null || die "cannot revert $m"
	rm -f "$applied"
	hidden[$m]=
	case "${result[$m]}" in
	KILLED-BY*) hidden[$m]=$(masked "$m") ;;
	esac
	if [ -n "${hidden[$m]}" ]; then
		nmasked=$((nmasked + 1))
	elif [[ "${result[$m]}" == "KILLED-BY "?* || "${result[$m]}" == HUNG* ]]; then
		killed=$((killed + 1))
	fi
done

# The kill matrix: one column per test, K where the test failed.
echo
i=0
for t in $tests; do
	i=$((i + 1))
	printf '  t%-2d %s\n' "$i" "${t%@*}"
done
printf '\n%-40s' "mutant"
i=0
for t in $tests; do i=$((i + 1)); printf ' t%-2d' "$i"; done
echo
for m in "${mutants[@]}"; do
	printf '%-40s' "$m"
	case "${result[$m]}" in
	BUILD-FAILED|BOOT-FAILED) printf ' %s\n' "${result[$m]}"; continue ;;
	esac
	for t in $tests; do
		t=${t%@*}
		failed=${result[$m]#KILLED-BY }
		failed=${failed#HUNG}
		if [[ " $failed " == *" $t@"* || " $failed " == *" $t "* ]]; then
			printf '  K '
		elif [[ " ${hidden[$m]} " == *" $t "* ]]; then
			printf '  M '
		else
			printf '  . '
		fi
	done
	if [ -n "${hidden[$m]}" ]; then
		echo "  MASKED by known-issues.cfg in: ${hidden[$m]}"
	elif [[ "${result[$m]}" == "KILLED-BY "?* ]]; then
		echo
	elif [[ "${result[$m]}" == HUNG* ]]; then
		echo "  HUNG: the suite stopped after $budget s (K: failed before)"
	else
		echo "  SURVIVED: $(sed -n '1s/^Mutant: //p' "$mutdir/$m.patch")"
	fi
done
echo
echo "K: a check failed (killed); M: checks that pass on the unmodified kernel became XFAIL (masked)"
echo "killed $killed of ${#mutants[@]}, masked $nmasked"
[ "$killed" -eq ${#mutants[@]} ]
