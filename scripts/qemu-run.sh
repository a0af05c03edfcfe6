#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-run.sh [--kernel IMAGE] [--append WORDS] [--build-dir DIR]
#             [--timeout SECS] [--backend LIST] [--verbose] -- TEST...
# qemu-run.sh --initramfs-only OUT [--no-qemu-platform] [--build-dir DIR]
#             [--timeout SECS] [--backend LIST] -- TEST...
#
# Boots an arm64 kernel under QEMU (TCG) with an initramfs holding busybox,
# the test binaries and run_tests.sh, which runs TESTs inside the guest in
# native mode.  Called by run_tests.sh; prints the guest's KTAP and exits
# with the in-guest run's code.  A boot that never reaches the tests (exit
# 125), a kernel panic or a QEMU timeout (exit 1) is reported with the
# console's tail.
#
# --initramfs-only OUT writes the initramfs to OUT and boots nothing (for
# scripts/lava-job.sh: a LAVA device boots it); --no-qemu-platform leaves
# out what the guest is told about QEMU's PMU (KPF_PLATFORM_COUNTS and
# _GAPS), for real hardware.  $KPF_LAVA crosses into the guest as the
# tests' knobs do (run_tests.sh prints a "# lava:" line per check).
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
# Errors before the boot are setup errors, not test results.
KPF_DIE_CODE=2

# One command line for every test: nested mode, so one boot serves the EL1
# and the virtual-EL2 tests; precise icount (common.sh).
KPF_QEMU=${KPF_QEMU:-qemu-system-aarch64}
KPF_QEMU_MEM=${KPF_QEMU_MEM:-2G}
KPF_QEMU_SMP=${KPF_QEMU_SMP:-2}
KPF_QEMU_ICOUNT=${KPF_QEMU_ICOUNT-$KPF_QEMU_ICOUNT_DEFAULT}
# The platform: common.sh's defaults; an empty KPF_KVM_MODE or
# KPF_RESERVED_HOST_COUNTERS leaves its word out.
KPF_QEMU_CPU=${KPF_QEMU_CPU:-$KPF_QEMU_CPU_DEFAULT}
KPF_KVM_MODE=${KPF_KVM_MODE-$KPF_KVM_MODE_DEFAULT}
KPF_RESERVED_HOST_COUNTERS=${KPF_RESERVED_HOST_COUNTERS-$KPF_RESERVED_HOST_COUNTERS_DEFAULT}
BOOT_WORDS="console=ttyAMA0 $(guest_kernel_words "$KPF_KVM_MODE" "$KPF_RESERVED_HOST_COUNTERS")"

kernel='' append='' bindir='' timeout=300 verbose=0 backends=emulated,partitioned
initramfs_only='' qemu_platform=1
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--append) append="$append $2"; shift ;;
	--build-dir) bindir=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--backend) backends=$2; shift ;;
	--verbose) verbose=1 ;;
	--initramfs-only) [ $# -ge 2 ] || die "$1 needs a file"; initramfs_only=$2; shift ;;
	--no-qemu-platform) qemu_platform=0 ;;
	--) shift; break ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
tests=("$@")
[ ${#tests[@]} -gt 0 ] || die "no tests to run"

# No QEMU and no kernel needed just to write an initramfs.
if [ -z "$initramfs_only" ]; then
	command -v "$KPF_QEMU" >/dev/null ||
		die "$KPF_QEMU not found: run scripts/setup.sh (installs qemu-system-arm from bookworm-backports)"

	if [ -z "$kernel" ]; then
		# On failure the fetch script has printed the one line that says why.
		kernel=$("$KPF_TOP/scripts/fetch-kernel.sh") || exit 2
	fi
	arm64_kernel_format "$kernel" >/dev/null || exit 2
fi

# TESTs may be NAME@BACKEND runs of the program NAME.
programs=$(printf '%s\n' "${tests[@]%@*}" | sort -u)
for t in $programs; do
	[ -x "$bindir/$t" ] || die "test binary $bindir/$t missing: run make"
done

busybox=$("$KPF_TOP/scripts/fetch-busybox.sh") || exit 2

work=$(mktemp -d "${TMPDIR:-/tmp}/kpf-qemu.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,kpf/build,kpf/scripts}
cp "$busybox" "$root/bin/busybox"
cp "$KPF_TOP/run_tests.sh" "$KPF_TOP/tests.cfg" "$KPF_TOP/settings" \
   "$KPF_TOP/known-issues.cfg" "$root/kpf/"
for t in $programs; do cp "$bindir/$t" "$root/kpf/build/"; done
printf '%s\n' "${tests[@]}" >"$root/kpf/tests"
# What QEMU's PMU counts in KVM guests: CPU_CYCLES, and INST_RETIRED with
# precise icount, and nothing else (pm_events[]: the STALL events it has
# count 0).  Tests may then not call these "uncountable" and skip, and a
# counter of any other event must read 0.
platform_counts=0x11
case "$KPF_QEMU_ICOUNT" in shift=0|shift=0,*) platform_counts="0x08 0x11" ;; esac
platform_counts="$platform_counts only"
# What QEMU 10.0's TCG leaves out that tests would otherwise take for KVM
# bugs (target/arm/helper.c): MDCR_EL2.HPMN is not applied to EL1/EL0
# accesses of PMCNTEN, PMINTEN and PMOVS (masked with PMCR_EL0.N only), nor
# to PMCR_EL0.P from EL1 (pmcr_write() resets every counter); MDCR_EL2.TPMCR
# traps nothing (PMCR_EL0's accessfn checks TPM only); its PMU has no
# CHAIN event (pm_events[]); and EL0 accesses that PMUSERENR_EL0.SW, ER or
# CR allow are not trapped by MDCR_EL2.TPM (pmreg_access_swinc(),
# _xevcntr(), _ccntr() return before pmreg_access() checks it), so a KVM
# guest's EL0 reaches the hardware PMU instead of its vPMU.
platform_gaps="hpmn hpmn-p tpmcr chain el0-tpm"
platform_env="export KPF_PLATFORM_COUNTS=\"$platform_counts\" KPF_PLATFORM_GAPS=\"$platform_gaps\""
[ "$qemu_platform" -eq 1 ] || platform_env="# real hardware: the tests probe what its PMU counts"
# The tests' own knobs cross into the guest as they are set here.
passed=
for v in KPF_SEED KPF_ENCODINGS KPF_GUEST_TIMEOUT KPF_LAVA; do
	[ -n "${!v:-}" ] && passed="$passed $v='${!v//\'/}'"
done
cat >"$root/init" <<EOT
#!/bin/busybox sh
$platform_env
export KPF_KERNEL_TAGS="${KPF_KERNEL_TAGS:-}" KPF_PLATFORM_TAGS="${KPF_PLATFORM_TAGS:-}"${passed:+
export$passed}
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "KPF-BEGIN kernel \$(uname -r), \$(nproc) CPUs, booted in \$(cut -d' ' -f1 /proc/uptime) s"
cd /kpf && ./run_tests.sh --native --build-dir /kpf/build --timeout $timeout --backend $backends \$(cat /kpf/tests)
echo "KPF-EXIT \$?"
poweroff -f
EOT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd" || die "cannot build the initramfs"
if [ -n "$initramfs_only" ]; then
	cp "$work/initrd" "$initramfs_only" || die "cannot write $initramfs_only"
	exit 0
fi

# shellcheck disable=SC2054 # commas are QEMU option syntax
qemu=("$KPF_QEMU" -M virt,virtualization=on,gic-version=3 -cpu "$KPF_QEMU_CPU,pmu=on"
      -smp "$KPF_QEMU_SMP" -m "$KPF_QEMU_MEM" -nographic -no-reboot
      -kernel "$kernel" -initrd "$work/initrd" -append "$BOOT_WORDS$append")
[ -n "$KPF_QEMU_ICOUNT" ] && qemu+=(-icount "$KPF_QEMU_ICOUNT")

# The whole boot may take every test's timeout plus time to boot.
limit=$(( timeout * ${#tests[@]} + 120 ))
echo "# qemu mode: $(basename "$kernel") ($kernel), -cpu $KPF_QEMU_CPU, -append '$BOOT_WORDS$append'${KPF_QEMU_ICOUNT:+, -icount $KPF_QEMU_ICOUNT}"
start=$(date +%s.%N)
elapsed() {
	echo "$(date +%s.%N) $start" | awk '{ printf "%.2f", $1 - $2 }'
}
# Real time is measured here: under icount the guest's clock is virtual.
timeout --foreground -k 5 "$limit" "${qemu[@]}" </dev/null 2>&1 | tee "$work/console.raw" |
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		KPF-BEGIN*) intests=1
			echo "# $line (guest clock); reached the tests after $(elapsed) s real time" ;;
		KPF-EXIT*) intests= ;;
		summary:*) ;;	# printed last, below
		"# selftests: kvm-pmu-filter: "*)
			run_start=$(date +%s.%N)
			echo "$line" ;;
		"ok "*" selftests: kvm-pmu-filter: "*|"not ok "*" selftests: kvm-pmu-filter: "*)
			echo "$line"
			# Each run's real time, beside the guest clock's "# time".
			echo "# real time: $(echo "$(date +%s.%N) ${run_start:-$start}" |
				awk '{ printf "%.2f", $1 - $2 }') s" ;;
		*) if [ -n "${intests:-}" ] || [ "$verbose" -eq 1 ]; then echo "$line"; fi ;;
		esac
	done
qrc=${PIPESTATUS[0]}
took=$(elapsed)
tr -d '\r' <"$work/console.raw" >"$work/console"

code=$(sed -n 's/^KPF-EXIT \([0-9]*\)$/\1/p' "$work/console" | tail -n 1)
if [ -n "$code" ]; then
	echo "# qemu mode: whole boot took $took s real time"
	grep '^summary:' "$work/console" | tail -n 1
	exit "$code"
fi
# Exit 125 when the tests never started (the kernel can't be tested),
# 1 when it died or hung under them.
rc=1
if ! grep -q '^KPF-BEGIN' "$work/console"; then
	rc=125
	if grep -q 'Kernel panic' "$work/console"; then
		what="the kernel panicked before the tests"
	elif [ "$qrc" -eq 124 ]; then
		what="QEMU timed out after $limit s before the tests"
	else
		what="the kernel never reached the tests (QEMU exit $qrc)"
	fi
elif grep -q 'Kernel panic' "$work/console"; then
	what="the kernel panicked during the tests"
elif [ "$qrc" -eq 124 ]; then
	what="QEMU timed out after $limit s during the tests"
else
	what="the guest stopped before the tests ended (QEMU exit $qrc)"
fi
echo "not ok 1 boot # $what"
echo "# last console lines:"
tail -n 40 "$work/console" | sed 's/^/#   /'
echo "summary: 0 passed, 1 failed, 0 skipped"
exit $rc
