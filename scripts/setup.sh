#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh: install what the suite needs on a Debian 12 machine, and nothing
# it already has.  On x86: the arm64 cross compiler, QEMU 10 from
# bookworm-backports (bookworm's own 7.2 cannot run nested guests), cpio and
# Debian's prebuilt arm64 kernel.  On an arm64 host: the native compiler only.
# Idempotent: a second run does no network work.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

QEMU_MIN_MAJOR=10

have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

qemu_major() {
	local v
	v=$(qemu-system-aarch64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
	echo "${v:-0}"
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	as_root apt-get -q update >&2 || die "apt-get update failed"
	apt_updated=1
}

install_pkgs() {
	local missing=() p
	for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return
	apt_update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y install "${missing[@]}" >&2 ||
		die "cannot install ${missing[*]}"
}

# Backports are pinned low by default: only what we ask for comes from there.
enable_backports() {
	local f=/etc/apt/sources.list.d/bookworm-backports.sources
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return
	note "adding bookworm-backports to apt sources ($f)"
	as_root tee "$f" >/dev/null <<EOT
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	apt_updated=
}

case "$(uname -m)" in
aarch64)
	install_pkgs gcc make libc6-dev shellcheck flex bison bc ccache libssl-dev libelf-dev rsync
	note "arm64 host: tests run natively; no QEMU or kernel needed"
	exit 0
	;;
x86_64) ;;
*) die "unsupported build machine $(uname -m) (need x86_64 or aarch64)" ;;
esac

install_pkgs gcc make libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio shellcheck
# For scripts/build-kernel.sh (bisecting, mutants, patched kernels).
install_pkgs flex bison bc ccache libssl-dev libelf-dev
# For scripts/kselftest-dropin.sh: kselftest's install copies with rsync.
install_pkgs rsync
if [ "$(qemu_major)" -lt $QEMU_MIN_MAJOR ]; then
	enable_backports
	apt_update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-t bookworm-backports install qemu-system-arm >&2 ||
		die "cannot install qemu-system-arm from bookworm-backports"
	[ "$(qemu_major)" -ge $QEMU_MIN_MAJOR ] ||
		die "qemu-system-aarch64 is $(qemu_major).x, need $QEMU_MIN_MAJOR or newer"
fi
"$KPF_TOP/scripts/fetch-busybox.sh" >/dev/null
"$KPF_TOP/scripts/fetch-kernel.sh" >/dev/null
note "ready: $(aarch64-linux-gnu-gcc --version | head -n 1); $(qemu-system-aarch64 --version | head -n 1)"
