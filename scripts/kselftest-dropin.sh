#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-dropin.sh [TEST...]: prove that the suite is a kselftest target
# of a kernel tree (Debian's linux-source-7.3, from scripts/fetch-source.sh):
# symlinked, and copied, as tools/testing/selftests/kvm-pmu-filter, it builds
# with the tree's UAPI headers through the selftests Makefile, installs with
# run_kselftest.sh and kselftest-list.txt, and the installed suite runs under
# QEMU with busybox sh as the shell (TESTs, default filter_cpu_cycles and
# filter_api).  The pristine tree is never written: the headers and
# selftests parts are copied once to $KPF_CACHE/kselftest.  Last line:
# "kselftest-dropin: PASS (...)", or an error and a non-zero exit.
set -u -o pipefail
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(filter_cpu_cycles filter_api)
command -v rsync >/dev/null || die "rsync not found: kselftest's install needs it (apt-get install rsync)"
pristine=$("$KPF_TOP/scripts/fetch-source.sh") || die "no linux-source tree (run scripts/setup.sh)"
work=$KPF_CACHE/kselftest
tree=$work/$(basename "$pristine") obj=$work/obj inst=$work/install
mkdir -p "$work"
log() { echo "$work/$1.log"; }

# 1. The tree: make headers and the selftests need only these parts.
if [ ! -f "$tree/.kpf-copied" ]; then
	need_space 500
	note "copying the parts of $pristine that kselftest needs to $tree"
	rm -rf "$tree"
	mkdir -p "$tree/arch" || die "cannot create $tree"
	(cd "$pristine" && cp -a --reflink=auto Makefile Kbuild Kconfig include scripts tools usr "$tree/" &&
		cp -a --reflink=auto arch/arm64 "$tree/arch/") || die "cannot copy $pristine"
	touch "$tree/.kpf-copied"
fi
sel=$tree/tools/testing/selftests
ln -sfn "$KPF_TOP" "$sel/kvm-pmu-filter"
rm -rf "$sel/kvm-pmu-filter-copy"
mkdir "$sel/kvm-pmu-filter-copy" || die "cannot create the copy"
(cd "$KPF_TOP" && git ls-files -z | cpio -pdm0 --quiet "$sel/kvm-pmu-filter-copy") || die "cannot copy the repository"
make -C "$tree" O="$obj" ARCH=arm64 headers >"$(log headers)" 2>&1 || die "make headers failed: $(log headers)"
note "make headers: $(find "$obj/usr/include" -name '*.h' | wc -l) UAPI headers in $obj/usr/include"

# 2. Build through the selftests Makefile; out of tree (O=), so that the
# symlinked repository gets no build products.
ksft=(make -C "$sel" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- O="$obj")
out=$obj/kselftest/kvm-pmu-filter
names=$(sed -e 's/#.*//' "$KPF_TOP/tests.cfg" | awk 'NF { print $1 }')
rm -rf "$obj/kselftest"
# DEPFLAGS with -MD: the dependency files list the system headers too,
# the tree's UAPI ones among them.
# shellcheck disable=SC2016 # $@ is make's
"${ksft[@]}" TARGETS=kvm-pmu-filter V=1 DEPFLAGS='-MD -MP -MF $@.d' -j"$(nproc)" >"$(log build)" 2>&1 ||
	die "kselftest build failed: $(log build)"
for t in $names; do [ -x "$out/$t" ] || die "kselftest build made no $t"; done
grep -q -- "-isystem $obj/usr/include " "$(log build)" || die "the compiler never got the tree's UAPI headers"
grep -q "$obj/usr/include/linux/kvm.h" "$out/lib/vm.o.d" || die "lib/vm.c did not use the tree's linux/kvm.h"
echo "# build: $(echo "$names" | wc -w) tests in $out; a compile line (V=1):"
grep -m1 -- '-c .*/lib/vm.c' "$(log build)" | sed 's/^/#   /'
echo "# lib/vm.c includes $(grep -o "$obj/usr/include/linux/kvm.h" "$out/lib/vm.o.d" | head -n 1) (its dependency file, with system headers: -MD)"
"${ksft[@]}" TARGETS=kvm-pmu-filter-copy >"$(log build-copy)" 2>&1 || die "the copy's build failed: $(log build-copy)"
for t in $names; do [ -x "$obj/kselftest/kvm-pmu-filter-copy/$t" ] || die "the copy's build made no $t"; done
echo "# build of the copy (tools/testing/selftests/kvm-pmu-filter-copy): every test"

# 3. Install: run_kselftest.sh, kselftest-list.txt and our directory.
rm -rf "$inst"
"${ksft[@]}" TARGETS=kvm-pmu-filter install INSTALL_PATH="$inst" >"$(log install)" 2>&1 ||
	die "kselftest install failed: $(log install)"
[ -x "$inst/run_kselftest.sh" ] || die "install made no run_kselftest.sh"
for t in $names; do
	grep -qx "kvm-pmu-filter:$t" "$inst/kselftest-list.txt" || die "kselftest-list.txt lacks $t"
done
echo "# install: $inst: run_kselftest.sh, kselftest-list.txt ($(wc -l <"$inst/kselftest-list.txt") tests), kvm-pmu-filter/ ($(ls "$inst/kvm-pmu-filter" | tr '\n' ' '))"

# 4. run_tests runs the tests on the build machine: honest only where arm64
# binaries run.  Here the Makefile must refuse, not report false results.
"${ksft[@]}" TARGETS=kvm-pmu-filter run_tests >"$(log run_tests)" 2>&1
rc=$?
if [ "$(uname -m)" = aarch64 ] || [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	grep -E '^(not )?ok ' "$(log run_tests)" | sed 's/^/#   /'
	runtests="run_tests here"
else
	{ [ $rc -ne 0 ] && grep -q "can't run arm64 tests" "$(log run_tests)"; } ||
		die "run_tests on $(uname -m) did not refuse: $(log run_tests)"
	echo "# run_tests on $(uname -m): refused, as it must be: $(grep -m1 "can't run" "$(log run_tests)")"
	runtests="run_tests refused on $(uname -m)"
fi

# 5. Boot the installed suite, with busybox sh as /bin/sh, and run TESTs
# through run_kselftest.sh; the QEMU command line is qemu-run.sh's.
kernel=$("$KPF_TOP/scripts/fetch-kernel.sh") || die "no default kernel (run scripts/setup.sh)"
busybox=$("$KPF_TOP/scripts/fetch-busybox.sh") || die "no arm64 busybox (run scripts/setup.sh)"
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,usr/bin,proc,sys,dev,tmp} || die "cannot create $root"
{ cp "$busybox" "$root/bin/busybox" && cp -a "$inst" "$root/kselftest"; } || die "cannot fill $root"
# runner.sh calls /usr/bin/timeout --foreground, which busybox lacks; its
# timeout exits 143, GNU's 124 (what the runner calls a TIMEOUT).
cat >"$root/usr/bin/timeout" <<'EOT'
#!/bin/sh
[ "$1" = --foreground ] && shift
/bin/busybox timeout "$@"
rc=$?
[ $rc -eq 143 ] && rc=124
exit $rc
EOT
sel_args=$(printf -- '-t kvm-pmu-filter:%s ' "${tests[@]}")
cat >"$root/init" <<EOT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# runner.sh logs to /dev/stdout, which only udev would create.
ln -s /proc/self/fd /dev/fd && ln -s fd/0 /dev/stdin && ln -s fd/1 /dev/stdout && ln -s fd/2 /dev/stderr
export KPF_PLATFORM_COUNTS="0x08 0x11"
echo "KSFT-BEGIN \$(uname -r): /bin/sh is \$(readlink /bin/sh)"
cd /kselftest && ./run_kselftest.sh $sel_args
echo "KSFT-EXIT \$?"
poweroff -f
EOT
chmod +x "$root/init" "$root/usr/bin/timeout"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd" || die "cannot build the initramfs"
# shellcheck disable=SC2054 # commas are QEMU option syntax
qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu "$KPF_QEMU_CPU_DEFAULT,pmu=on" -smp 2 -m 2G
      -icount "$KPF_QEMU_ICOUNT_DEFAULT" -nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd"
      -append "console=ttyAMA0 $(guest_kernel_words "$KPF_KVM_MODE_DEFAULT" "")")
echo "# qemu: $(basename "$kernel"), ./run_kselftest.sh $sel_args"
flock /tmp/kpf-qemu.lock timeout -k 5 $((300 * ${#tests[@]} + 120)) "${qemu[@]}" </dev/null >"$(log qemu)" 2>&1
tr -d '\r' <"$(log qemu)" | sed -n '/^KSFT-BEGIN/,/^KSFT-EXIT/p' >"$work/ktap"
code=$(sed -n 's/^KSFT-EXIT //p' "$work/ktap")
[ -n "$code" ] || die "the guest never finished run_kselftest.sh: $(log qemu)"
cat "$work/ktap"
for t in "${tests[@]}"; do
	grep -Eq "^ok [0-9]+ selftests: kvm-pmu-filter: $t\$" "$work/ktap" || die "$t did not pass under run_kselftest.sh"
done
[ "$code" -eq 0 ] || die "run_kselftest.sh exited $code"
echo "kselftest-dropin: PASS (build with the tree's UAPI headers, symlinked and copied; install; run_kselftest.sh under QEMU: ${tests[*]}; $runtests)"
