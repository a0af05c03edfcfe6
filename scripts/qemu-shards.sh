#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-shards.sh -j N [qemu-run.sh options] -- RUN...
#
# Runs one kernel's RUNs in N QEMU boots at once (under -icount QEMU runs a
# boot's vCPUs on one host thread: one boot, one core).  Each boot gets a
# shard of the runs, balanced by their cost in costs.cfg (real seconds,
# measured by scripts/refresh-costs.sh; a run it doesn't list costs the
# median).  The boots' outputs are merged into the one KTAP stream a single
# boot prints: the runs in the order given, numbered once, each boot's
# header and failure report (console tail) kept, one summary.  Exit as
# qemu-run.sh: 0, 1, 4, 2 for a setup error, 125 when a boot never
# reached the tests.  With -j 1, or one run, this is qemu-run.sh itself.
#
# qemu-shards.sh --lava -j N ...: each shard is a LAVA job instead
# (scripts/lava-job.sh, the words of $KPF_LAVA_JOB_ARGS added), submitted
# to the server of $LAVA_URL or lavacli's identity (scripts/lava-submit.sh),
# which queues and runs them; the jobs' logs are merged as the boots' are,
# a job LAVA did not complete counts as a boot that never reached the
# tests.  The jobs and their logs stay in $KPF_CACHE/lava/runs/.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

lava=0
if [ "${1:-}" = --lava ]; then
	lava=1
	shift
fi
jobs=1
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
opts=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
[ "${1:-}" = -- ] || die "usage: qemu-shards.sh -j N [qemu-run.sh options] -- RUN..."
shift
runs=("$@")
[ ${#runs[@]} -gt 0 ] || die "no runs"
[ "$jobs" -gt ${#runs[@]} ] && jobs=${#runs[@]}
# Each boot takes its guest's memory and some: no more boots than fit
# (LAVA's boots are its workers').
mem=${KPF_QEMU_MEM:-2G}
case $mem in *G) mem_mb=$(( ${mem%G} * 1024 )) ;; *M) mem_mb=${mem%M} ;; *) mem_mb=$mem ;; esac
avail_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null)
fit=$(( ${avail_mb:-0} / (mem_mb + 512) ))
if [ $lava -eq 0 ] && [ "$fit" -ge 1 ] && [ "$jobs" -gt "$fit" ]; then
	note "$jobs boots of $mem don't fit in ${avail_mb} MB available: $fit at once"
	jobs=$fit
fi
# Under -icount a boot uses one core; with fewer cores than boots a few
# exact counts have moved (findings/observations.md, "Two runs at once").
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ $lava -eq 0 ] && [ "$jobs" -gt "$cpus" ]; then
	note "$jobs boots on $cpus CPUs: exact counts may move when boots share a core (findings/observations.md)"
fi
if [ $lava -eq 0 ] && [ "$jobs" -le 1 ]; then
	exec "$KPF_TOP/scripts/qemu-run.sh" "${opts[@]}" -- "${runs[@]}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kpf-shards.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
# Stopped from outside (a CI job's or mutate.sh's timeout): what the boots
# printed so far is all there is to say which run hung, so it is printed,
# each boot's as it came, before the work directory goes.
# shellcheck disable=SC2317 # called by the trap
interrupted() {
	local f
	echo "# qemu-shards.sh: stopped by a signal; the boots' output so far:"
	for f in "$work"/out.*; do
		[ -f "$f" ] || continue
		echo "# [boot ${f##*.} of ${nshards:-?}], as printed:"
		cat "$f"
	done
	exit 143
}
trap interrupted TERM INT

# Longest first, each to the least loaded boot (common.sh).
printf '%s\n' "${runs[@]}" | cost_shards "$jobs" >"$work/shards"

# lava_shards: every shard a LAVA job, run and collected into out.S as a
# boot leaves it; a job without verdict makes the kernel untestable.
lava_shards() {
	local runs_dir lopts=() o s line mode
	runs_dir=$KPF_CACHE/lava/runs/$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$runs_dir" || die "cannot create $runs_dir"
	# qemu-run.sh's options are lava-job.sh's, but for --verbose; the
	# platform comes as qemu-run.sh takes it, from the environment.
	for o in "${opts[@]}"; do [ "$o" = --verbose ] || lopts+=("$o"); done
	mode=${KPF_KVM_MODE-$KPF_KVM_MODE_DEFAULT}
	lopts+=(--cpu "${KPF_QEMU_CPU:-$KPF_QEMU_CPU_DEFAULT}" --kvm-mode "${mode:-vhe}")
	s=0
	while read -r line; do
		s=$((s + 1))
		# shellcheck disable=SC2086 # run names and job arguments are words
		"$KPF_TOP/scripts/lava-job.sh" "${lopts[@]}" ${KPF_LAVA_JOB_ARGS:-} $line \
			>"$runs_dir/shard-$s.yaml" || exit 2
	done <"$work/shards"
	note "LAVA: $s jobs in $runs_dir"
	"$KPF_TOP/scripts/lava-submit.sh" --out "$runs_dir" "$runs_dir"/shard-*.yaml >&2
	[ $? -eq 2 ] && exit 2
	for s in $(seq "$s"); do
		cp "$runs_dir/shard-$s.log" "$work/out.$s" || die "no log of shard $s in $runs_dir"
		grep -q '^not ok 1 boot' "$work/out.$s" && worst=125
	done
}

# boot_shards: every shard a QEMU boot, all at once.
boot_shards() {
	local s=0 line rc
	while read -r line; do
		s=$((s + 1))
		# shellcheck disable=SC2086 # run names are words
		"$KPF_TOP/scripts/qemu-run.sh" "${opts[@]}" -- $line >"$work/out.$s" 2>"$work/err.$s" &
		echo $! >"$work/pid.$s"
	done <"$work/shards"
	for s in $(seq "$s"); do
		wait "$(cat "$work/pid.$s")"
		rc=$?
		cat "$work/err.$s" >&2
		# A setup error stops everything; a boot that never reached the
		# tests makes the kernel untestable.
		[ "$rc" -eq 2 ] && exit 2
		[ "$rc" -eq 125 ] && worst=125
	done
}

nshards=$(wc -l <"$work/shards")
worst=0
if [ $lava -eq 1 ]; then lava_shards; else boot_shards; fi

# The merge: every boot's lines outside the runs' blocks (headers, boot
# reports) as they came, labelled with the boot; then the runs' blocks in
# the order given, renumbered; one summary, the sum of the boots'.
for s in $(seq "$nshards"); do
	awk -v s="$s" -v n="$nshards" -v dir="$work" '
	function flush(suffix) {
		if (name != "") { f = dir "/run." name suffix; printf "%s", block > f; close(f) }
		name = ""; inrun = 0
	}
	closing {
		closing = 0
		if ($0 ~ /^# real time: /) { block = block $0 "\n"; flush(""); next }
		flush("")
	}
	/^# selftests: kvm-pmu-filter: / { name = $4; block = $0 "\n"; inrun = 1; next }
	inrun && /^(not )?ok [0-9]+ selftests: kvm-pmu-filter: / { block = block $0 "\n"; closing = 1; next }
	inrun && /^not ok 1 boot/ { flush(".partial") }
	inrun { block = block $0 "\n"; next }
	/^summary: / { print > (dir "/summary." s); next }
	/^TAP version|^1\.\.[0-9]+$/ { next }
	/^1\.\.0 # SKIP/ { why = $0; sub(/^1\.\.0 # SKIP ?/, "", why); print why > (dir "/planskip." s) }
	/^# [0-9]+ of the passed checks are expected failures/ { print $2 > (dir "/xfail." s); next }
	{ print "# [boot " s " of " n "] " $0 > (dir "/head." s) }
	END { flush(closing ? "" : ".partial") }' "$work/out.$s"
done

if [ $lava -eq 1 ]; then
	echo "# qemu mode: $nshards LAVA jobs (-j $jobs), shards by costs.cfg"
else
	echo "# qemu mode: $nshards boots at once (-j $jobs), shards by costs.cfg"
fi
for s in $(seq "$nshards"); do
	echo "# [boot $s of $nshards] runs: $(sed -n "${s}p" "$work/shards")"
	[ -f "$work/head.$s" ] && grep -v 'not ok 1 boot\|last console lines\|^# \[boot [0-9]* of [0-9]*\] #   ' "$work/head.$s"
done
echo "TAP version 13"
echo "1..${#runs[@]}"
i=0 planskip=0
for r in "${runs[@]}"; do
	i=$((i + 1))
	if [ -f "$work/run.$r" ]; then
		sed -E "s/^(not )?ok [0-9]+ (selftests: kvm-pmu-filter: )/\\1ok $i \\2/" "$work/run.$r"
		continue
	fi
	for s in $(seq "$nshards"); do
		case " $(sed -n "${s}p" "$work/shards") " in
		*" $r "*) break ;;
		esac
	done
	# Its boot skipped the whole plan (no /dev/kvm, say): so does the run,
	# counted as run_tests.sh counts a run whose plan skipped.
	if [ -f "$work/planskip.$s" ]; then
		echo "# selftests: kvm-pmu-filter: $r"
		echo "ok $i selftests: kvm-pmu-filter: $r # SKIP $(cat "$work/planskip.$s")"
		planskip=$((planskip + 1))
		continue
	fi
	# Its boot failed first: say which, and where to read why.
	if [ -f "$work/run.$r.partial" ]; then
		cat "$work/run.$r.partial"
		echo "not ok $i selftests: kvm-pmu-filter: $r # did not finish: boot $s failed, below"
	else
		echo "# selftests: kvm-pmu-filter: $r"
		echo "not ok $i selftests: kvm-pmu-filter: $r # not run: boot $s failed, below"
	fi
done
# The boots' failure reports, as one boot prints them.
for s in $(seq "$nshards"); do
	[ -f "$work/head.$s" ] && grep -q 'not ok 1 boot' "$work/head.$s" &&
		sed -n '/not ok 1 boot/,$p' "$work/head.$s" | sed 's/^# \[boot \([0-9]*\) of [0-9]*\] /# boot \1: /'
done
cat "$work"/summary.* 2>/dev/null | awk -v planskip=$planskip -v xf="$(cat "$work"/xfail.* 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')" '
	{ p += $2; f += $4; k += $6 }
	END { k += planskip }
	END {
		if (xf > 0) printf "# %d of the passed checks are expected failures (XFAIL)\n", xf
		printf "summary: %d passed, %d failed, %d skipped\n", p, f, k
		exit (f > 0) ? 1 : (p == 0 && k > 0) ? 4 : 0
	}'
rc=$?
[ $worst -eq 125 ] && exit 125
exit $rc
