#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the KVM arm64 PMU event-filter selftests.
#
# On an arm64 host with /dev/kvm the tests run here ("native" mode).  On any
# other machine, an arm64 kernel boots under QEMU with the tests in an
# initramfs, and this same script runs them inside it ("qemu" mode).
#
# Output is KTAP: one top-level result per test program with its own KTAP
# nested and indented, then a summary of the individual checks:
#   summary: N passed, N failed, N skipped
# Exit: 0 all passed, 1 any failed, 4 all skipped, 2 bad usage; with
# --bisect, 125 for a kernel that can't be tested.
#
# With KPF_LAVA=1 (native mode; scripts/lava-job.sh sets it in the guest),
# each check, each run and the summary is followed by one KTAP diagnostic
# line a LAVA "monitors" pattern reads without parsing KTAP directives:
#   # lava: RUN.N RESULT[ DETAIL]   a check (N 0: the whole plan skipped)
#   # lava: RUN RESULT[ DETAIL]     a run, just before its top-level line
#   # lava: summary RESULT COUNTS, then "# lava: end"
# RESULT is pass, fail or skip (an XFAIL passes); DETAIL is the directive
# (XFAIL reference, SKIP reason, TIMEOUT) or a failed check's description.
set -u

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<EOT
usage: run_tests.sh [options] [TEST...]

Runs every test in tests.cfg, or the TESTs named, once per PMU backend as
TEST@BACKEND (a TEST@BACKEND argument runs that one only).
  -B, --backend LIST    PMU backends, comma-separated (default:
                        \$KPF_PMU_BACKENDS or emulated,partitioned); a
                        backend the kernel lacks SKIPs with the reason
  -b, --build-dir DIR   test binaries (default: ./build, or this script's
                        directory when installed)
  -k, --kernel IMAGE    arm64 kernel image to boot under QEMU (default:
                        Debian's 7.3, fetched by scripts/fetch-kernel.sh)
  -K, --kernel-tree DIR build an arm64 kernel from the source tree DIR
                        (scripts/build-kernel.sh) and boot it under QEMU
  -P, --kernel-patches DIR
                        build Debian's linux-source-7.3 with DIR/*.patch
                        applied (a series under test, e.g. the partitioned
                        PMU) and boot it under QEMU; repeat it to stack a
                        fix on the series (directories without spaces)
  -T, --kernel-tag NAME the kernel carries patch set NAME (e.g.
                        partitioned-pmu-v8-fixes): known-issues.cfg entries
                        tagged +NAME hold for it, as for -P DIR with that
                        name; repeat it for each.  A kernel built by
                        scripts/build-kernel.sh --patches says so itself
  -a, --append WORDS    extra kernel command-line words (qemu mode)
  -p, --platform NAME   qemu mode: a CPU model and KVM mode from
                        platforms.cfg (default: max, in nested mode)
      --cpu MODEL       qemu mode: QEMU's -cpu (overrides the platform's)
      --kvm-mode MODE   qemu mode: nested, vhe, nvhe or protected
                        (overrides the platform's)
  -j, --jobs N          qemu mode: N boots at once, each a shard of the
                        runs balanced by costs.cfg, merged into one report
                        (default: \$KPF_JOBS, else the online CPUs; 1: one
                        boot)
      --lava            qemu mode: each of the -j shards is a job on the
                        LAVA server of \$LAVA_URL (with \$LAVA_USER and
                        \$LAVA_TOKEN) or of lavacli's identity (lava/README.md)
      --bisect          exit as "git bisect run" expects: 0 good, 1 bad,
                        125 untestable (the kernel doesn't build or boot,
                        or has no KVM/vPMU so every test skips)
  -t, --timeout SECS    per-test timeout (default: settings, 300 s)
      --native          run here, even if this is not an arm64 KVM host
      --qemu            boot QEMU, even on an arm64 KVM host
  -v, --verbose         show the whole QEMU console
  -l, --list            list the tests and exit
  -h, --help            this text
EOT
}

die_usage() {
	echo "run_tests.sh: error: $*" >&2
	echo "run 'run_tests.sh --help' for usage" >&2
	exit 2
}

bindir=
mode=
kernel=
ktree=
kpatches=
bisect=0
append=
timeout=
verbose=0
list=0
tests=
jobs=
lava=
platform='' cpu='' kvm_mode=''
# Patch sets the kernel carries, for known-issues.cfg (words "+NAME").
ktags=${KPF_KERNEL_TAGS:-}
backends=${KPF_PMU_BACKENDS:-emulated,partitioned}

while [ $# -gt 0 ]; do
	case "$1" in
	-b|--build-dir) [ $# -ge 2 ] || die_usage "$1 needs a directory"; bindir=$2; shift ;;
	-k|--kernel) [ $# -ge 2 ] || die_usage "$1 needs an image"; kernel=$2; shift ;;
	-K|--kernel-tree) [ $# -ge 2 ] || die_usage "$1 needs a directory"; ktree=$2; shift ;;
	-P|--kernel-patches) [ $# -ge 2 ] || die_usage "$1 needs a directory"; kpatches="$kpatches $2"; shift ;;
	--bisect) bisect=1 ;;
	-a|--append) [ $# -ge 2 ] || die_usage "$1 needs words"; append="$append $2"; shift ;;
	-T|--kernel-tag) [ $# -ge 2 ] || die_usage "$1 needs a patch set name"
		case $2 in *[!A-Za-z0-9._+-]*|'') die_usage "kernel tag '$2': letters, digits and ._+- only" ;; esac
		ktags="$ktags +${2#+}"; shift ;;
	-B|--backend) [ $# -ge 2 ] || die_usage "$1 needs a list"; backends=$2; shift ;;
	-j|--jobs) [ $# -ge 2 ] || die_usage "$1 needs a number"; jobs=$2; shift ;;
	-j[0-9]*) jobs=${1#-j} ;;
	--lava) lava=--lava ;;
	-p|--platform) [ $# -ge 2 ] || die_usage "$1 needs a name"; platform=$2; shift ;;
	--cpu) [ $# -ge 2 ] || die_usage "$1 needs a QEMU CPU model"; cpu=$2; shift ;;
	--kvm-mode) [ $# -ge 2 ] || die_usage "$1 needs a mode"; kvm_mode=$2; shift ;;
	-t|--timeout) [ $# -ge 2 ] || die_usage "$1 needs seconds"; timeout=$2; shift ;;
	--native) mode=native ;;
	--qemu) mode=qemu ;;
	-v|--verbose) verbose=1 ;;
	-l|--list) list=1 ;;
	-h|--help) usage; exit 0 ;;
	-*) die_usage "unknown option $1" ;;
	*) tests="$tests $1" ;;
	esac
	shift
done

# The platform: platforms.cfg's line, then --cpu and --kvm-mode over it.
if [ -n "$platform" ]; then
	line=$(sed -e 's/#.*//' "$here/platforms.cfg" 2>/dev/null | awk -v n="$platform" '$1 == n { print $2, $3 }')
	[ -n "$line" ] || die_usage "unknown platform '$platform' (platforms.cfg: $(sed -e 's/#.*//' "$here/platforms.cfg" | awk 'NF { printf "%s ", $1 }'))"
	[ -n "$cpu" ] || cpu=${line% *}
	[ -n "$kvm_mode" ] || kvm_mode=${line#* }
fi
case "$kvm_mode" in
''|nested|vhe|nvhe|protected) ;;
*) die_usage "unknown KVM mode '$kvm_mode' (nested, vhe, nvhe, protected)" ;;
esac

case "$jobs" in
'') jobs=${KPF_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)} ;;
esac
case "$jobs" in
*[!0-9]*|0|'') die_usage "jobs must be a number of boots, not '$jobs'" ;;
esac

case "$timeout" in
''|*[!0-9]*)
	[ -z "$timeout" ] || die_usage "timeout must be a number of seconds, not '$timeout'"
	timeout=$(sed -n 's/^timeout=//p' "$here/settings" 2>/dev/null)
	timeout=${timeout:-300} ;;
esac

if [ -z "$bindir" ]; then
	if [ -f "$here/Makefile" ]; then bindir=$here/build; else bindir=$here; fi
fi

backends=$(echo "$backends" | tr ',' ' ')
for b in $backends; do
	case $b in
	emulated|partitioned) ;;
	*) die_usage "unknown PMU backend '$b' (emulated, partitioned)" ;;
	esac
done

# A tests.cfg attribute of test $1 (timeout, axis), or nothing.
test_attr() {
	sed -e 's/#.*//' "$here/tests.cfg" |
		awk -v n="$1" -v a="$2=" '$1 == n { for (i = 2; i <= NF; i++) if (index($i, a) == 1) print substr($i, length(a) + 1) }'
}

# The runs: NAME@BACKEND for each test and each backend of this run; NAME
# alone for a test that takes no backend axis.
runs_of() {
	if [ "$(test_attr "$1" axis)" = no ]; then
		echo "$1"
		return
	fi
	for b in $backends; do echo "$1@$b"; done
}

all_tests=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/tests.cfg" | awk '{print $1}')
all_runs=$(for t in $all_tests; do runs_of "$t"; done)
if [ -z "$tests" ]; then
	runs=$all_runs
else
	runs=
	for t in $tests; do
		echo "$all_tests" | grep -qx "${t%@*}" ||
			die_usage "unknown test '${t%@*}' (run_tests.sh --list shows them)"
		case $t in
		*@*) echo "$all_runs" | grep -qx "$t" ||
			die_usage "'$t': ${t%@*} does not run on backend '${t#*@}'"
		     runs="$runs $t" ;;
		*) runs="$runs $(runs_of "$t")" ;;
		esac
	done
fi
if [ $list -eq 1 ]; then
	echo "$all_runs"
	exit 0
fi

test_timeout() {
	t=$(test_attr "$1" timeout)
	echo "${t:-$timeout}"
}

# Seconds since boot with centiseconds where /proc has them.
now() {
	if [ -r /proc/uptime ]; then cut -d' ' -f1 /proc/uptime; else date +%s; fi
}

# --lava hands the boots to LAVA's devices: qemu mode's shards, as jobs.
if [ -n "$lava" ]; then
	[ "$mode" != native ] || die_usage "--lava runs the suite on LAVA's devices, not natively here"
	mode=qemu
fi
if [ -z "$mode" ]; then
	if [ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ]; then mode=native; else mode=qemu; fi
fi

# In bisect mode a kernel that can't be tested is 125, never good or bad.
finish() {
	if [ $bisect -eq 1 ] && { [ "$1" -eq 4 ] || [ "$1" -eq 125 ]; }; then
		echo "# bisect: untestable (exit 125): ${2:-every test skipped}"
		exit 125
	fi
	[ "$1" -eq 125 ] && exit 1
	[ "$1" -eq 2 ] && exit 2
	exit "$1"
}

if [ -n "$ktree" ] || [ -n "$kpatches" ]; then
	[ -z "$kernel" ] || die_usage "--kernel excludes --kernel-tree and --kernel-patches"
	[ -z "$ktree" ] || [ -z "$kpatches" ] ||
		die_usage "--kernel-patches patches Debian's tree; apply them to your --kernel-tree yourself"
	mode=qemu
	if [ -n "$ktree" ]; then
		what="the tree $ktree"
		set -- --tree "$ktree"
	else
		what="linux-source-${KPF_KERNEL_SERIES:-7.3} +$kpatches"
		set --
		for d in $kpatches; do
			[ -d "$d" ] || die_usage "patch directory '$d' does not exist"
			set -- "$@" --patches "$d"
			ktags="$ktags +$(basename "$d")"
		done
	fi
	echo "# building a kernel from $what"
	if ! kernel=$("$here/scripts/build-kernel.sh" "$@"); then
		echo "not ok 1 kernel build # scripts/build-kernel.sh $* failed"
		echo "summary: 0 passed, 1 failed, 0 skipped"
		finish 125 "the kernel does not build"
	fi
fi

# known-issues.cfg can tell a series from the series with its fixes.
KPF_KERNEL_TAGS=${ktags# }
export KPF_KERNEL_TAGS

if [ "$mode" = qemu ]; then
	# The platform reaches qemu-run.sh, and the tests (known-issues tags
	# cpu-MODEL and kvm-MODE), through the environment.
	[ -n "$cpu" ] && KPF_QEMU_CPU=$cpu && export KPF_QEMU_CPU
	if [ -n "$kvm_mode" ]; then
		KPF_KVM_MODE=$kvm_mode
		[ "$kvm_mode" = vhe ] && KPF_KVM_MODE=
		export KPF_KVM_MODE
	fi
	cpu=${KPF_QEMU_CPU:-max}
	# kvm-default: no kvm-arm.mode word, the kernel's choice.
	tag_mode=${kvm_mode:-${KPF_KVM_MODE-nested}}
	KPF_PLATFORM_TAGS="cpu-${cpu%%,*} kvm-${tag_mode:-default}"
	export KPF_PLATFORM_TAGS
	# The same script runs inside the QEMU guest, in native mode.
	set -- --build-dir "$bindir" --timeout "$timeout" --backend "$(echo "$backends" | tr ' ' ',')"
	[ -n "$kernel" ] && set -- "$@" --kernel "$kernel"
	[ -n "$append" ] && set -- "$@" --append "$append"
	[ $verbose -eq 1 ] && set -- "$@" --verbose
	# shellcheck disable=SC2086 # test names are words
	"$here/scripts/qemu-shards.sh" $lava -j "$jobs" "$@" -- $runs
	rc=$?
	[ $rc -eq 125 ] && finish 125 "the kernel did not boot to the tests"
	[ $rc -eq 2 ] && [ $bisect -eq 1 ] && finish 125 "a setup error stopped the run before the boot (see above)"
	finish $rc
fi

# ---- native mode ----
echo "# run_tests.sh: native mode on $(uname -r) ($(uname -m))"
if [ "$(uname -m)" != aarch64 ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP native mode needs an arm64 host: this one is $(uname -m) (drop --native to boot QEMU)"
	echo "summary: 0 passed, 0 failed, 0 skipped"
	finish 4 "not an arm64 host"
fi
if [ ! -c /dev/kvm ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP no /dev/kvm on this host"
	echo "summary: 0 passed, 0 failed, 0 skipped"
	finish 4 "no /dev/kvm"
fi

# The reviewed table of known kernel bugs, reported as XFAIL.
if [ -z "${KPF_KNOWN_ISSUES:-}" ] && [ -f "$here/known-issues.cfg" ]; then
	KPF_KNOWN_ISSUES=$here/known-issues.cfg
	export KPF_KNOWN_ISSUES
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ntests=$(echo "$runs" | wc -w)
echo "TAP version 13"
echo "1..$ntests"
i=0
pass=0 fail=0 skip=0 xfail=0
for run in $runs; do
	i=$((i + 1))
	t=${run%@*}
	backend=emulated
	case $run in *@*) backend=${run#*@} ;; esac
	secs=$(test_timeout "$t")
	echo "# selftests: kvm-pmu-filter: $run"
	start=$(now)
	if [ -x "$bindir/$t" ]; then
		{ KPF_PMU_BACKEND=$backend timeout "$secs" "$bindir/$t" 2>&1; echo $? >"$work/rc"; } |
			awk -v counts="$work/counts" -v lava="${KPF_LAVA:-}" -v run="$run" '
				function lava_line(n, rest,   r, d, i) {
					r = "pass"; d = ""
					i = index(rest, " # SKIP"); if (i) { r = "skip"; d = substr(rest, i + 3) }
					i = index(rest, " # XFAIL"); if (i && r == "pass") d = substr(rest, i + 3)
					if (failed) { r = "fail"; d = rest }
					print "    # lava: " run "." n " " r (d == "" ? "" : " " d)
				}
				{ sub(/\r$/, ""); print "    " $0 }
				lava != "" && /^(not )?ok [0-9]+/ {
					failed = /^not ok/; n = failed ? $3 : $2
					rest = $0; sub(/^(not )?ok [0-9]+ ?/, "", rest); lava_line(n, rest)
				}
				lava != "" && /^1\.\.0 # SKIP/ { failed = 0; lava_line(0, substr($0, 5)) }
				{ fflush() }
				/^ok / && / # SKIP/ { s++; next }
				/^ok / && / # XFAIL/ { x++; next }
				/^ok / { p++; next }
				/^not ok / { f++ }
				/^1\.\.0 # SKIP/ { s0 = 1 }
				END { printf "%d %d %d %d %d\n", p, f, s, x, s0 > counts }'
		rc=$(cat "$work/rc")
	else
		echo "    # $bindir/$t: no such test binary (run make)"
		echo "0 0 0 0 0" >"$work/counts"
		rc=127
	fi
	read -r p f s x s0 <"$work/counts"
	took=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	if [ -n "${KPF_LAVA:-}" ]; then
		case $rc in
		0) echo "# lava: $run pass" ;;
		4) echo "# lava: $run skip SKIP" ;;
		124|143) echo "# lava: $run fail TIMEOUT ${secs}s" ;;
		*) echo "# lava: $run fail exit=$rc" ;;
		esac
	fi
	case $rc in
	0) echo "ok $i selftests: kvm-pmu-filter: $run # time ${took}s" ;;
	4) echo "ok $i selftests: kvm-pmu-filter: $run # SKIP"
	   [ "$s0" -eq 1 ] && s=$((s + 1)) ;;
	# GNU timeout exits 124; busybox's, 128 + SIGTERM.
	124|143) echo "not ok $i selftests: kvm-pmu-filter: $run # TIMEOUT ${secs}s"
	     f=$((f + 1)) ;;
	*) echo "not ok $i selftests: kvm-pmu-filter: $run # exit=$rc"
	   [ "$f" -eq 0 ] && f=1 ;;
	esac
	pass=$((pass + p + x)) fail=$((fail + f)) skip=$((skip + s)) xfail=$((xfail + x))
done
[ $xfail -gt 0 ] && echo "# $xfail of the passed checks are expected failures (XFAIL)"
echo "summary: $pass passed, $fail failed, $skip skipped"
if [ -n "${KPF_LAVA:-}" ]; then
	result=pass
	[ $fail -gt 0 ] && result=fail
	echo "# lava: summary $result $pass passed, $fail failed, $skip skipped"
	echo "# lava: end"
fi
if [ $fail -gt 0 ]; then finish 1; fi
if [ $pass -eq 0 ] && [ $skip -gt 0 ]; then finish 4; fi
finish 0
