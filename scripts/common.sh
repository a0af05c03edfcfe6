# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts under scripts/: paths, messages and the private apt
# configuration used to fetch foreign (arm64, trixie) packages without ever
# touching the system's apt sources.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by the scripts that source this
KPF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KPF_CACHE=${KPF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-pmu-filter}

# The default kernel: Debian's prebuilt arm64 7.3 from trixie-backports.
KPF_KERNEL_SERIES=${KPF_KERNEL_SERIES:-7.3}

# The QEMU platform a boot gets unless told otherwise (qemu-run.sh, and
# the LAVA jobs that stand in for its boots).  QEMU's max CPU without
# FEAT_LPA2: with it KVM's stage 2 spans 52 bits of IPA, and every
# nested-guest transition walks a top level 16 times wider
# (kvm_nested_s2_unmap() and friends): the nested tests take 10 times
# longer, for nothing the suite checks.  Host counters a kernel with the
# partitioned-PMU series keeps for itself: QEMU's PMU has 6, 2 for the
# host, 4 for guests (kernels without the series ignore the word).
KPF_QEMU_CPU_DEFAULT=max,lpa2=off
KPF_KVM_MODE_DEFAULT=nested
KPF_RESERVED_HOST_COUNTERS_DEFAULT=2
# Precise icount (one instruction, one nanosecond of the virtual clock)
# makes INST_RETIRED countable and counts repeatable.  With sleep=off an
# idle guest's clock jumps to its next timer instead of waiting it out in
# real time: guests' time no longer depends on the host's, and what a test
# waits for idle (RCU grace periods as each VM is torn down: 14 ms of
# guest clock for a VM at EL1, 138 ms for a nested one) costs no real time.
KPF_QEMU_ICOUNT_DEFAULT=shift=0,sleep=off

# guest_kernel_words MODE RESERVED: the command line the suite's kernels
# boot with, the console aside: init from the initramfs, no reboot on a
# panic, kvm-arm.mode=MODE (none for an empty MODE: the kernel's choice)
# and the host's reserved counters (none for an empty RESERVED).
guest_kernel_words() {
	local words="rdinit=/init panic=-1 loglevel=5"
	[ -z "${1:-}" ] || words="$words kvm-arm.mode=$1"
	[ -z "${2:-}" ] || words="$words arm_pmuv3.reserved_host_counters=$2"
	echo "$words"
}

die() {
	echo "$(basename "$0"): error: $*" >&2
	exit "${KPF_DIE_CODE:-1}"
}

note() {
	echo "$(basename "$0"): $*" >&2
}

# ktap_outcomes <LOG: one line per check of a run_tests.sh log, "TEST@BACKEND
# N OUTCOME" (pass, fail, skip, xfail), and per test "TEST@BACKEND -
# OUTCOME" from its top-level line (timeout too); descriptions and their
# counts are left out, outcomes only.
ktap_outcomes() {
	awk 'function outcome(line, failed) {
		if (failed) return "fail"
		if (line ~ / # SKIP/) return "skip"
		if (line ~ / # XFAIL/) return "xfail"
		if (line ~ / # TIMEOUT/) return "timeout"
		return "pass"
	     }
	     /^# selftests: kvm-pmu-filter: / { t = $4; next }
	     t == "" { next }
	     /^    (not )?ok [0-9]+ / { print t, ($1 == "not") ? $3 : $2, outcome($0, $1 == "not"); next }
	     /^    1\.\.0 # SKIP/ { print t, 0, "skip"; next }
	     /^(not )?ok [0-9]+ selftests: / { print t, "-", outcome($0, $1 == "not"); t = "" }'
}

# need_space MB: fail early, with one line, when the cache can't take MB more.
need_space() {
	local avail
	mkdir -p "$KPF_CACHE"
	avail=$(df -Pm "$KPF_CACHE" | awk 'NR == 2 { print $4 }')
	[ "${avail:-0}" -ge "$1" ] ||
		die "not enough disk space in $KPF_CACHE: ${avail:-0} MB free, $1 MB needed (set KPF_CACHE elsewhere)"
}

# priv_apt NAME ARCH -- APT-GET-ARGS...
# Runs apt-get against a private configuration under $KPF_CACHE/apt/NAME,
# listing bookworm, trixie and trixie-backports for ARCH.  The system's
# sources, lists and package state are never read or written.
priv_apt_dir() {
	echo "$KPF_CACHE/apt/$1"
}

priv_apt() {
	local name=$1 arch=$2 dir
	shift 2
	dir=$(priv_apt_dir "$name")
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc"
	if [ ! -s "$dir/etc/sources.list" ]; then
		{
			echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main"
			echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main"
			echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main"
		} >"$dir/etc/sources.list"
		: >"$dir/status"
	fi
	apt-get -q \
		-o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=- \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::State::status="$dir/status" \
		-o Dir::Cache="$dir" \
		-o Dir::Cache::archives="$dir/archives" \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		-o APT::Architecture="$arch" \
		-o APT::Architectures="$arch" \
		-o APT::Get::AllowUnauthenticated=false \
		"$@"
}

# priv_apt_fetch NAME ARCH PACKAGE DESTDIR: download PACKAGE into the cache
# and unpack it into DESTDIR.  Updates the private lists only when needed.
priv_apt_fetch() {
	local name=$1 arch=$2 pkg=$3 dest=$4 dir deb base
	dir=$(priv_apt_dir "$name")
	if ! ls "$dir"/lists/*_Packages* >/dev/null 2>&1; then
		priv_apt "$name" "$arch" update >&2 || die "apt-get update ($name) failed"
	fi
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && priv_apt "$name" "$arch" download "$pkg" >&2) ||
		die "cannot download $pkg for $arch"
	base=${pkg%%[=/]*}
	deb=$(ls -t "$dir/debs/${base}"_*.deb | head -n 1)
	mkdir -p "$dest"
	dpkg -x "$deb" "$dest" || die "cannot unpack $deb"
}

# priv_apt_newest NAME ARCH REGEX: the newest package whose name matches.
priv_apt_newest() {
	local name=$1 arch=$2 re=$3 dir
	dir=$(priv_apt_dir "$name")
	if ! ls "$dir"/lists/*_Packages* >/dev/null 2>&1; then
		priv_apt "$name" "$arch" update >&2 || die "apt-get update ($name) failed"
	fi
	apt-cache \
		-o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=- \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::State::status="$dir/status" \
		-o Dir::Cache="$dir" \
		-o APT::Architecture="$arch" \
		-o APT::Architectures="$arch" \
		pkgnames | grep -E "^($re)\$" | sort -V | tail -n 1
}

# cost_shards N: the runs on stdin (one a line) as N shards, one a line,
# balanced by their cost in costs.cfg (real seconds; a run it doesn't list
# costs the median): longest first, each to the least loaded shard, each
# shard's runs in the order given (qemu-shards.sh's boots, lava-job.sh's
# --shard).
cost_shards() {
	awk -v jobs="$1" -v costs="$KPF_TOP/costs.cfg" '
	BEGIN {
		while ((getline line < costs) > 0) {
			if (line ~ /^[[:space:]]*(#|$)/) continue
			split(line, f); cost[f[1]] = f[2]; known[++nk] = f[2]
		}
	}
	{ run[NR] = $0 }
	END {
		for (i = 1; i <= nk; i++) for (j = i + 1; j <= nk; j++)
			if (known[j] < known[i]) { t = known[i]; known[i] = known[j]; known[j] = t }
		median = nk ? known[int((nk + 1) / 2)] : 1
		for (i = 1; i <= NR; i++) c[i] = (run[i] in cost) ? cost[run[i]] : median
		for (i = 1; i <= NR; i++) idx[i] = i
		for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++)
			if (c[idx[j]] > c[idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
		for (i = 1; i <= NR; i++) {
			best = 1
			for (s = 2; s <= jobs; s++) if (load[s] < load[best]) best = s
			load[best] += c[idx[i]]; shard[idx[i]] = best
		}
		for (s = 1; s <= jobs; s++) {
			line = ""
			for (i = 1; i <= NR; i++) if (shard[i] == s) line = line " " run[i]
			print substr(line, 2)
		}
	}'
}

# lava_cli ARGS...: lavacli as $LAVA_URL's user $LAVA_USER with $LAVA_TOKEN
# when LAVA_URL is set, else with lavacli's identity $LAVACLI_IDENTITY
# (default kpf-local, written by scripts/lava-server-local.sh).
lava_cli() {
	command -v lavacli >/dev/null || die "lavacli not found: run scripts/setup.sh --lava"
	if [ -n "${LAVA_URL:-}" ]; then
		if [ -z "${LAVA_USER:-}" ] || [ -z "${LAVA_TOKEN:-}" ]; then
			die "LAVA_URL is set: LAVA_USER and LAVA_TOKEN must be too"
		fi
		lavacli --uri "${LAVA_URL%%://*}://$LAVA_USER:$LAVA_TOKEN@${LAVA_URL#*://}" "$@"
	else
		lavacli -i "${LAVACLI_IDENTITY:-kpf-local}" "$@"
	fi
}

# arm64_kernel_format IMAGE: image (an arm64 Image: "ARM\x64" at offset
# 56), gz or zboot (Debian's 6.x vmlinuz: gzip, or an EFI zboot PE; QEMU
# boots both), after checking IMAGE exists; dies on anything else.
arm64_kernel_format() {
	local magic head2
	[ -f "$1" ] || die "kernel image '$1' does not exist"
	magic=$(od -An -tx1 -j56 -N4 "$1" | tr -d ' \n')
	head2=$(od -An -tx1 -N2 "$1" | tr -d ' \n')
	case "$magic:$head2" in
	41524d64:*) echo image ;;
	*:1f8b) echo gz ;;
	*:4d5a) echo zboot ;;
	*) die "'$1' is not an arm64 kernel image" ;;
	esac
}

# platform_names: the platforms of platforms.cfg, one a line.
platform_names() {
	sed -e 's/#.*//' "$KPF_TOP/platforms.cfg" | awk 'NF { print $1 }'
}

# platform_of NAME: its "CPU MODE" from platforms.cfg; dies naming the
# platforms there for one it doesn't list.  (run_tests.sh, which also runs
# inside the guest without this file, reads the table the same way.)
platform_of() {
	local line
	line=$(sed -e 's/#.*//' "$KPF_TOP/platforms.cfg" | awk -v n="$1" '$1 == n { print $2, $3 }')
	[ -n "$line" ] || die "unknown platform '$1' (platforms.cfg: $(platform_names | tr '\n' ' '))"
	echo "$line"
}
