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
# each mutant is applied, built and reverted, and its kernel runs the suite
# while the next one builds.  Logs are kept in $KPF_CACHE/mutants/.  Exit 0
# when every mutant was killed, 1 otherwise.
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
	-h|--help) sed -n '3,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# build NAME: builds the tree as it is now and keeps its Image as
# $logs/NAME.Image, for the tree moves on to the next mutant while NAME's
# suite runs; false if the build failed ($logs/NAME.build says why).  The
# build runs at idle priority: it takes only what the boots leave, so each
# boot keeps its core (findings/observations.md: counts under icount
# assume it).
build() {
	local image
	image=$(chrt --idle 0 "$KPF_TOP/scripts/build-kernel.sh" --tree "$tree" --name mutant-tree \
		2>"$logs/$1.build") && cp "$image" "$logs/$1.Image"
}

# suite NAME: runs the suite on $logs/NAME.Image and writes its verdict to
# $logs/NAME.verdict: the failed tests ("KILLED-BY name ..."), HUNG or
# BOOT-FAILED; the run's check outcomes go to $logs/NAME.outcomes and its
# real seconds to $logs/NAME.secs.
suite() {
	local name=$1 start rc
	start=$(date +%s)
	# A mutant that hangs guests (an interrupt never cleared, say) fails
	# in seconds of guest clock: no test takes more than 10 unmutated.  One
	# that livelocks the host kernel only QEMU's own timeout would end, after
	# half an hour: past $budget s (4 times the unmodified kernel's run) the
	# suite has hung, which is its failure, as a CI job's timeout would say.
	# shellcheck disable=SC2086 # test names are words
	KPF_GUEST_TIMEOUT=${KPF_GUEST_TIMEOUT:-15} timeout -k 10 "$budget" \
		"$KPF_TOP/run_tests.sh" $lava --kernel "$logs/$name.Image" --build-dir "$bin" \
		--backend emulated --timeout 120 $tests >"$logs/$name.log" 2>&1 &
	echo $! >"$logs/.suite-pid"
	wait $!
	rc=$?
	echo $(( $(date +%s) - start )) >"$logs/$name.secs"
	case $rc in
	124|137)
		# The runs that failed before, and those still running (the
		# boots' output so far: qemu-shards.sh prints it when stopped).
		note "$name: the suite hung: stopped after $budget s in $(awk '
			/^# selftests: kvm-pmu-filter: / { open[$4] = 1 }
			/^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / {
				r = $0; sub(/.*kvm-pmu-filter: /, "", r); sub(/ .*/, "", r); delete open[r] }
			END { for (r in open) printf "%s ", r }' "$logs/$name.log")"
		echo "HUNG $(sed -n 's/^not ok [0-9]* selftests: kvm-pmu-filter: \([a-z0-9_]*\).*/\1/p' \
			"$logs/$name.log" | tr '\n' ' ')" >"$logs/$name.verdict"
		return ;;
	esac
	if grep -q '^not ok 1 boot' "$logs/$name.log"; then
		echo "BOOT-FAILED" >"$logs/$name.verdict"
		return
	fi
	ktap_outcomes <"$logs/$name.log" >"$logs/$name.outcomes"
	echo "KILLED-BY $(sed -n 's/^not ok [0-9]* selftests: kvm-pmu-filter: \([a-z0-9_]*\).*/\1/p' \
		"$logs/$name.log" | tr '\n' ' ')" >"$logs/$name.verdict"
	note "$name: $(tail -n 1 "$logs/$name.log") ($(cat "$logs/$name.secs") s)"
}

# build_mutant NAME: NAME applied, built into $logs/NAME.Image, reverted.
build_mutant() {
	local ok=0
	patch -d "$tree" -p1 -s <"$mutdir/$1.patch" >/dev/null || die "$1 does not apply"
	echo "$1" >"$applied"
	build "$1" || ok=1
	patch -d "$tree" -p1 -R -s <"$mutdir/$1.patch" >/dev/null || die "cannot revert $1"
	rm -f "$applied"
	return $ok
}

# masked NAME: the tests where NAME's run has XFAIL checks that passed or
# skipped in the baseline run.
masked() {
	awk 'NR == FNR { base[$1 " " $2] = $3; next }
	     $3 == "xfail" && base[$1 " " $2] != "xfail" { sub(/@.*/, "", $1); print $1 }' \
		"$logs/baseline.outcomes" "$logs/$1.outcomes" | sort -u | tr '\n' ' '
}

# The pipeline: each kernel is built while the one before it runs the
# suite, whose boots leave a core idle at times (the shorter shard's end)
# that the build (a compile and a link, mostly one core) takes.  One suite
# runs at a time, so no boot shares its core with another boot.
declare -A result hidden
killed=0 nmasked=0
running=
trap '[ -z "$running" ] || kill "$(cat "$logs/.suite-pid" 2>/dev/null)" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

# start NAME: NAME's suite in the background.
start() {
	rm -f "$logs/$1.verdict" "$logs/$1.outcomes" "$logs/.suite-pid"
	suite "$1" &
	running=$1
}

# finish: waits for the running suite and records its verdict.
finish() {
	local m=$running
	[ -n "$m" ] || return 0
	wait
	running=
	rm -f "$logs/$m.Image"
	result[$m]=$(cat "$logs/$m.verdict" 2>/dev/null || echo "BOOT-FAILED")
	[ "$m" != baseline ] || return 0
	hidden[$m]=
	case "${result[$m]}" in
	KILLED-BY*) hidden[$m]=$(masked "$m") ;;
	esac
	if [ -n "${hidden[$m]}" ]; then
		nmasked=$((nmasked + 1))
	elif [[ "${result[$m]}" == "KILLED-BY "?* || "${result[$m]}" == HUNG* ]]; then
		killed=$((killed + 1))
	fi
}

note "baseline: the unmodified kernel"
build baseline || die "the unmodified kernel does not build: see $logs/baseline.build"
budget=1800
start baseline
first=yes
for m in "${mutants[@]}"; do
	built=yes
	build_mutant "$m" || built=
	finish
	if [ -n "$first" ]; then
		# The baseline has run: it must pass, and its time sets how
		# long a suite may take before it counts as hung.
		case "${result[baseline]}" in
		"KILLED-BY ") ;;
		*) die "the unmodified kernel does not pass (${result[baseline]}): see $logs/baseline.log" ;;
		esac
		budget=$(( 4 * $(cat "$logs/baseline.secs") ))
		[ "$budget" -ge 120 ] || budget=120
		first=
	fi
	if [ -n "$built" ]; then
		start "$m"
	else
		result[$m]=BUILD-FAILED
		hidden[$m]=
	fi
done
finish

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
