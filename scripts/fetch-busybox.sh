#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-busybox.sh: print the path of a static arm64 busybox, the shell and
# tools of the initramfs in which run_tests.sh runs under QEMU.  Debian's
# busybox-static for arm64, fetched with the private apt configuration.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

dir="$KPF_CACHE/busybox-arm64"
bb="$dir/bin/busybox"
if [ ! -x "$bb" ]; then
	need_space 50
	rm -rf "$dir.tmp"
	priv_apt_fetch arm64 arm64 busybox-static/bookworm "$dir.tmp"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	[ -x "$bb" ] || die "busybox-static holds no bin/busybox"
fi
echo "$bb"
