#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-job.sh [options] [TEST...]
#
# Prints a LAVA job definition (YAML) that runs the suite, or the TESTs
# named (as run_tests.sh takes them: NAME or NAME@BACKEND), in one boot of
# an arm64 kernel with the suite's initramfs, which it builds
# (scripts/qemu-run.sh --initramfs-only) and puts beside the kernel in the
# artifacts directory the job's URLs point at.
#
#   --kernel IMAGE       arm64 kernel image (default: Debian's 7.3, fetched
#                        by scripts/fetch-kernel.sh)
#   --device-type TYPE   qemu (default): LAVA's qemu device type on an x86
#                        worker, the QEMU command line of qemu-run.sh set
#                        through the job's context; any other name: a real
#                        arm64 board of that device type, booted by U-Boot
#                        from TFTP with the initramfs as its ramdisk, the
#                        suite running natively with /dev/kvm
#                        (lava/README.md)
#   --boot-commands NAME U-Boot commands of the board's device type
#                        (default: ramdisk)
#   --dtb URL            the board's device tree, where its U-Boot needs one
#   --platform NAME      qemu: a CPU model and KVM mode from platforms.cfg
#                        (default: max)
#   --cpu MODEL, --kvm-mode MODE   as run_tests.sh's (over the platform's;
#                        on a board --kvm-mode sets kvm-arm.mode)
#   --append WORDS       more kernel command-line words
#   -B, --backend LIST   PMU backends (default: emulated,partitioned)
#   -T, --kernel-tag NAME  the kernel carries patch set NAME (run_tests.sh -T)
#   --shard I/N          only shard I of N of the runs, balanced by costs.cfg
#                        as run_tests.sh -j N balances its boots
#   --timeout SECS       per-test timeout (default: settings)
#   -b, --build-dir DIR  test binaries (default: ./build)
#   --name NAME          the job's name (default: from kernel, platform, runs)
#   --artifacts DIR      where kernel and initramfs go (default:
#                        $KPF_CACHE/lava/artifacts)
#   --url-base URL       the URL a worker fetches DIR's files from
#                        (default: file://DIR, for a worker on this machine)
#
# Every check becomes a LAVA test case of the suite TEST-BACKEND (LAVA's
# suite names take letters, digits, _ and - only; test names have no -),
# named TEST@BACKEND.N (LAVA keeps that in the case's metadata and names
# the case test_backend_n); each run is a case TEST@BACKEND of its suite,
# and the summary a case of the suite kvm-pmu-filter.  An XFAIL passes
# with its reference in the case's units, a SKIP skips with its reason
# there, a failed check has its description there.  A boot that never
# reaches the tests leaves the job Incomplete.  Exit 2 on bad input.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

kernel='' device_type=qemu boot_commands=ramdisk dtb='' platform=max cpu='' kvm_mode=''
append='' backends=${KPF_PMU_BACKENDS:-emulated,partitioned} ktags=${KPF_KERNEL_TAGS:-}
shard='' timeout='' name='' artifacts=$KPF_CACHE/lava/artifacts url_base='' bindir=$KPF_TOP/build
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--device-type|--boot-commands|--dtb|--platform|--cpu|--kvm-mode|--append|\
	-B|--backend|-T|--kernel-tag|--shard|--timeout|--name|--artifacts|--url-base|-b|--build-dir)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
	esac
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--device-type) device_type=$2; shift ;;
	--boot-commands) boot_commands=$2; shift ;;
	--dtb) dtb=$2; shift ;;
	--platform) platform=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--kvm-mode) kvm_mode=$2; shift ;;
	--append) append="$append $2"; shift ;;
	-B|--backend) backends=$2; shift ;;
	-T|--kernel-tag)
		case $2 in *[!A-Za-z0-9._+-]*|'') die "kernel tag '$2': letters, digits and ._+- only" ;; esac
		ktags="$ktags +${2#+}"; shift ;;
	--shard) shard=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--name) name=$2; shift ;;
	--artifacts) artifacts=$2; shift ;;
	--url-base) url_base=${2%/}; shift ;;
	-b|--build-dir) bindir=$2; shift ;;
	-h|--help) sed -n '3,45p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done

case $device_type in
*[!A-Za-z0-9._-]*|'') die "device type '$device_type': letters, digits and ._- only" ;;
esac
case $boot_commands in
*[!A-Za-z0-9._-]*|'') die "boot commands '$boot_commands': letters, digits and ._- only" ;;
esac
case "$timeout" in
'') timeout=$(sed -n 's/^timeout=//p' "$KPF_TOP/settings"); timeout=${timeout:-300} ;;
*[!0-9]*|0) die "timeout must be a number of seconds, not '$timeout'" ;;
esac
shard_i=1 shard_n=1
if [ -n "$shard" ]; then
	case $shard in
	[1-9]*/[1-9]*) shard_i=${shard%/*} shard_n=${shard#*/} ;;
	*) die "--shard takes I/N (e.g. 1/2), not '$shard'" ;;
	esac
	case $shard_i$shard_n in *[!0-9]*) die "--shard takes I/N (e.g. 1/2), not '$shard'" ;; esac
	[ "$shard_i" -le "$shard_n" ] || die "--shard $shard: there is no shard $shard_i of $shard_n"
fi

# The QEMU platform, as run_tests.sh --platform reads platforms.cfg.
if [ "$device_type" = qemu ]; then
	line=$(platform_of "$platform") || exit 2
	[ -n "$cpu" ] || cpu=${line% *}
	[ -n "$kvm_mode" ] || kvm_mode=${line#* }
else
	[ -z "$cpu" ] || die "--cpu is QEMU's: a board's CPU is what it is"
fi
case "$kvm_mode" in
''|nested|vhe|nvhe|protected) ;;
*) die "unknown KVM mode '$kvm_mode' (nested, vhe, nvhe, protected)" ;;
esac

# The runs, in run_tests.sh's order: all of them, or the TESTs named.
all_runs=$("$KPF_TOP/run_tests.sh" -B "$backends" --list) || exit 2
if [ $# -eq 0 ]; then
	runs=$all_runs
else
	runs=
	for t in "$@"; do
		case ${t%@*} in *[!A-Za-z0-9_]*|'') die "bad test name '$t'" ;; esac
		case $t in
		*@*) echo "$all_runs" | grep -qxF "$t" || die "'$t' is not a run of this suite (run_tests.sh --list)"
		     runs="$runs$t"$'\n' ;;
		*) r=$(echo "$all_runs" | grep -E "^$t(@|\$)") || die "unknown test '$t' (run_tests.sh --list)"
		   runs="$runs$r"$'\n' ;;
		esac
	done
fi
runs=$(echo "$runs" | sed '/^$/d')
if [ "$shard_n" -gt 1 ]; then
	runs=$(echo "$runs" | cost_shards "$shard_n" | sed -n "${shard_i}p" | tr ' ' '\n' | sed '/^$/d')
	[ -n "$runs" ] || die "shard $shard has no runs (fewer runs than shards)"
fi
nruns=$(echo "$runs" | wc -l)

# The kernel, and the words qemu-run.sh boots it with.
if [ -z "$kernel" ]; then
	kernel=$("$KPF_TOP/scripts/fetch-kernel.sh") || exit 2
fi
kformat=$(arm64_kernel_format "$kernel") || exit 2
# Debian's images live in .../modules/RELEASE/vmlinuz or boot/vmlinuz-RELEASE.
krelease=$(echo "$kernel" | sed -n -e 's|.*/modules/\([^/]*\)/vmlinuz$|\1|p' -e 's|.*/vmlinuz-\([^/]*\)$|\1|p')
# A built Image says its release in its banner.
[ -n "$krelease" ] || [ "$kformat" != image ] ||
	krelease=$(grep -a -m 1 -o 'Linux version [^ ]*' "$kernel" | sed 's/^Linux version //')
[ -n "$krelease" ] || krelease=$(basename "$(dirname "$kernel")")-$(basename "$kernel")
if [ "$device_type" != qemu ] && [ "$kformat" = zboot ]; then
	die "'$kernel' is an EFI zboot image, which U-Boot's booti can't boot: give an Image (scripts/build-kernel.sh prints one) or a gzip-compressed one"
fi
# vhe: no kvm-arm.mode word, the kernel's choice on a VHE CPU.
words=$(guest_kernel_words "${kvm_mode#vhe}" "${KPF_RESERVED_HOST_COUNTERS-$KPF_RESERVED_HOST_COUNTERS_DEFAULT}")
[ "$device_type" != qemu ] || words="console=ttyAMA0 $words"
words="$words${append}"
case $words in *[\'\"\\]*) die "kernel command-line words can't hold quotes or backslashes: $words" ;; esac

# The initramfs: qemu-run.sh's, with the "# lava:" lines switched on; a
# board gets no knowledge of QEMU's PMU.  Tagged as run_tests.sh tags a
# QEMU platform (known-issues.cfg entries @cpu-MODEL, @kvm-MODE).
mkdir -p "$artifacts" || die "cannot create $artifacts"
artifacts=$(cd "$artifacts" && pwd)
[ -n "$url_base" ] || url_base=file://$artifacts
tmp=$(mktemp "$artifacts/.initramfs.XXXXXX")
trap 'rm -f "$tmp"' EXIT
ptags=
noplat=()
if [ "$device_type" = qemu ]; then
	ptags="cpu-${cpu%%,*} kvm-${kvm_mode:-default}"
else
	noplat=(--no-qemu-platform)
fi
# shellcheck disable=SC2086 # run names are words
KPF_LAVA=1 KPF_KERNEL_TAGS=${ktags# } KPF_PLATFORM_TAGS=$ptags \
	"$KPF_TOP/scripts/qemu-run.sh" --initramfs-only "$tmp" "${noplat[@]}" --build-dir "$bindir" \
	--timeout "$timeout" --backend "$backends" -- $runs || exit 2
sum=$(sha256sum "$tmp" | cut -c1-16)
initrd=initramfs-$sum.cpio
mv "$tmp" "$artifacts/$initrd"
trap - EXIT
# Named by content too: kernels of one release (a tree rebuilt with each
# mutant, say) must not overwrite each other under queued jobs.
kfile=vmlinuz-$krelease-$(sha256sum "$kernel" | cut -c1-16)
[ "$kformat" = image ] && kfile=Image-${kfile#vmlinuz-}
cmp -s "$kernel" "$artifacts/$kfile" 2>/dev/null || cp "$kernel" "$artifacts/$kfile" ||
	die "cannot copy the kernel to $artifacts"

# Timeouts: the whole run as qemu-run.sh bounds it; between two lines of
# the monitored output, the longest test's timeout and a minute.
longest=$timeout
for t in $(echo "$runs" | sed 's/@.*//' | sort -u); do
	s=$(sed -e 's/#.*//' "$KPF_TOP/tests.cfg" | awk -v n="$t" '$1 == n { for (i = 2; i <= NF; i++) if ($i ~ /^timeout=/) print substr($i, 9) }')
	[ -n "$s" ] && [ "$s" -gt "$longest" ] && longest=$s
done
quiet=$((longest + 60))
limit=$((timeout * nruns + 120))
job_minutes=$(( (limit + 600) / 60 ))

where=$device_type
[ "$device_type" = qemu ] && where="qemu ${cpu%%,*} ${kvm_mode:-vhe}"
[ -n "$name" ] || name="kvm-pmu-filter $krelease $where: $nruns runs${shard:+ (shard $shard)}"
commit=$(git -C "$KPF_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)

# A regular expression for the literal S (run names: letters, digits, _ and @).
re() {
	printf '%s' "$1" | sed 's/[.]/\\./g'
}
# YAML single-quoted scalar.
yq() {
	printf "'%s'" "${1//\'/\'\'}"
}

cat <<EOT
# Generated by kvm-pmu-filter scripts/lava-job.sh (commit $commit).
device_type: $device_type
job_name: $(yq "$name")
priority: medium
visibility: public
timeouts:
  job:
    minutes: $job_minutes
  action:
    minutes: 5
  connection:
    seconds: $quiet
  connections:
    lava-test-monitor:
      seconds: $quiet
metadata:
  kpf.commit: $(yq "$commit")
  kpf.kernel: $(yq "$krelease")
  kpf.platform: $(yq "$where")
  kpf.backends: $(yq "$backends")
  kpf.runs: $nruns
  kpf.shard: $(yq "${shard:-1/1}")
EOT

if [ "$device_type" = qemu ]; then
	# qemu.jinja2 (lava-server) renders -cpu {{ cpu }}, -machine
	# {{ machine }}, -m {{ memory }}, -nographic and the extra options;
	# it adds -monitor none and a virtio NIC (user networking) the tests
	# never use.  The rest is qemu-run.sh's command line.  The boot's timeout
	# is also the QEMU connection's: how long the monitors wait for a line.
	cat <<EOT
context:
  arch: arm64
  machine: virt,virtualization=on,gic-version=3
  cpu: $(yq "$cpu,pmu=on")
  memory: $(yq "${KPF_QEMU_MEM:-2G}")
  extra_options:
  - $(yq "-smp ${KPF_QEMU_SMP:-2}")
EOT
	icount=${KPF_QEMU_ICOUNT-$KPF_QEMU_ICOUNT_DEFAULT}
	[ -z "$icount" ] || echo "  - $(yq "-icount $icount")"
	cat <<EOT
  - '-no-reboot'
  - $(yq "-append \"$words\"")
actions:
- deploy:
    to: tmpfs
    timeout:
      minutes: 5
    images:
      kernel:
        url: $(yq "$url_base/$kfile")
        image_arg: '-kernel {kernel}'
      initrd:
        url: $(yq "$url_base/$initrd")
        image_arg: '-initrd {initrd}'
- boot:
    method: qemu
    media: tmpfs
    timeout:
      seconds: $quiet
EOT
else
	# A board: U-Boot loads kernel and initramfs over TFTP; the device
	# type's "ramdisk" commands boot them with these words.
	cat <<EOT
context:
  extra_kernel_args: $(yq "$words")
actions:
- deploy:
    to: tftp
    timeout:
      minutes: 10
    kernel:
      url: $(yq "$url_base/$kfile")
      type: image
EOT
	[ "$kformat" = gz ] && echo "      compression: gz"
	cat <<EOT
    ramdisk:
      url: $(yq "$url_base/$initrd")
EOT
	[ -n "$dtb" ] && printf '    dtb:\n      url: %s\n' "$(yq "$dtb")"
	cat <<EOT
- boot:
    method: u-boot
    commands: $boot_commands
    timeout:
      minutes: 5
EOT
fi

# The test: one monitor per run, in the order the guest runs them, and one
# for the summary.  A monitor waits for its run's "# selftests:" line,
# records each "# lava:" line (run_tests.sh, KPF_LAVA=1) as a case, and
# stops at the run's top-level result line.  A start line that never
# comes (the kernel didn't reach the tests, died or hung) fails the job.
cat <<EOT
- test:
    timeout:
      seconds: $limit
    monitors:
EOT
for r in $runs; do
	cat <<EOT
    - name: $(yq "${r/@/-}")
      start: $(yq "# selftests: kvm-pmu-filter: $(re "$r")[\\r\\n]")
      end: $(yq "ok [0-9]+ selftests: kvm-pmu-filter: $(re "$r")[ \\r\\n]")
      pattern: $(yq "# lava: (?P<test_case_id>$(re "$r")(\\.[0-9]+)?) (?P<result>pass|fail|skip) ?(?P<units>[^\\r\\n]*)[\\r\\n]")
EOT
done
cat <<EOT
    - name: kvm-pmu-filter
      start: 'summary: [0-9]+ passed'
      end: '# lava: end'
      pattern: '# lava: (?P<test_case_id>summary) (?P<result>pass|fail) ?(?P<units>[^\\r\\n]*)[\\r\\n]'
EOT
