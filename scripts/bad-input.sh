#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bad-input.sh: every bad input to the runner and its tools gives one clear
# error line and the documented exit code.  One TAP line per case, with
# the exit code and the line the user sees.  Boots QEMU once (a kernel
# without KVM, in bisect mode); needs root for the full-disk case (a 1 MB
# tmpfs as the cache), which SKIPs otherwise.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

cd "$KPF_TOP" || exit 2
work=$(mktemp -d)
full=$work/full
trap 'umount "$full" 2>/dev/null; rm -rf "$work"' EXIT
n=0 failed=0

# check NAME WANT_RC PATTERN -- COMMAND...: COMMAND must exit WANT_RC and
# print exactly one line matching PATTERN.
check() {
	local name=$1 want=$2 pattern=$3 out rc lines
	shift 4
	out=$("$@" 2>&1)
	rc=$?
	lines=$(grep -cE "$pattern" <<<"$out")
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ]; then
		echo "ok $n $name: exit $rc: $(grep -E "$pattern" <<<"$out")"
	else
		failed=$((failed + 1))
		echo "not ok $n $name: exit $rc (want $want), $lines lines matching /$pattern/:"
		tail -n 5 <<<"$out" | sed 's/^/#   /'
	fi
}

make -s >/dev/null || die "make failed"
echo "TAP version 13"
echo "1..10"
check "a kernel image that doesn't exist" 2 "error" -- ./run_tests.sh --kernel /nonexistent/Image
check "a file that is not an arm64 kernel" 2 "error" -- ./run_tests.sh --kernel /bin/ls
check "an unknown test" 2 "error" -- ./run_tests.sh no_such_test
check "an unknown PMU backend" 2 "error" -- ./run_tests.sh -B hardware
check "no QEMU" 2 "error.*setup\.sh" -- env KPF_QEMU=qemu-system-none ./run_tests.sh filter_api
check "no cross compiler" 2 "setup\.sh" -- make -s OUTPUT="$work/out" CROSS_COMPILE=none-
if [ "$(uname -m)" != aarch64 ]; then
	check "--native on a host that isn't arm64" 4 "SKIP" -- ./run_tests.sh --native filter_api
else
	n=$((n + 1))
	echo "ok $n --native on a host that isn't arm64 # SKIP this host is arm64"
fi
check "a kernel source tree that isn't one (bisect)" 125 "untestable" -- \
	./run_tests.sh --bisect --kernel-tree "$work"
check "a kernel without KVM (bisect)" 125 "untestable" -- \
	env KPF_KVM_MODE=none ./run_tests.sh --bisect filter_api
mkdir -p "$full"
if mount -t tmpfs -o size=1m tmpfs "$full" 2>/dev/null; then
	check "no disk space for the cache" 2 "error" -- \
		env KPF_CACHE="$full/cache" ./run_tests.sh --kernel "$("$KPF_TOP/scripts/fetch-kernel.sh")" filter_api
else
	n=$((n + 1))
	echo "ok $n no disk space for the cache # SKIP mounting a 1 MB tmpfs needs root"
fi
echo "bad-input: $((n - failed)) of $n cases gave one error line and the documented exit code"
[ "$failed" -eq 0 ]
