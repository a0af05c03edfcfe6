#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh: install what the suite needs on a Debian 12 machine, and nothing
# it already has.  On x86: the arm64 cross compiler, QEMU 10 from
# bookworm-backports (bookworm's own 7.2 cannot run nested guests), cpio and
# Debian's prebuilt arm64 kernel.  On an arm64 host: the native compiler only.
# Idempotent: a second run does no network work.
#
# setup.sh --lava-run (x86) also installs Debian 12's LAVA dispatcher
# (lava-run) and unpacks lava-server's device types into
# $KPF_CACHE/lava/device-types, without the server: what
# scripts/lava-run-job.sh needs.  lava-dispatcher pulls qemu-system-x86,
# which must come from bookworm-backports beside our QEMU 10.
# setup.sh --lava adds the server (lava/README.md): lava-server with its
# PostgreSQL (started here if it is down: the server's installation creates
# its database) and lavacli.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

QEMU_MIN_MAJOR=10
lava=0
case "${1:-}" in
'') ;;
--lava-run) lava=1 ;;
--lava) lava=2 ;;
*) die "unknown argument '$1' (setup.sh [--lava-run|--lava])" ;;
esac

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

# install_pkgs [--no-install-recommends] PKG...: those not installed yet.
install_pkgs() {
	local missing=() opts=() p
	if [ "${1:-}" = --no-install-recommends ]; then opts=("$1"); shift; fi
	for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return
	apt_update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y "${opts[@]}" install "${missing[@]}" >&2 ||
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
	[ $lava -eq 0 ] || die "--lava sets up an x86 LAVA server and QEMU worker; a board needs only its lab's LAVA (lava/README.md)"
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
if [ $lava -ge 1 ]; then
	if ! have_pkg qemu-system-x86; then
		enable_backports
		apt_update
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
			-t bookworm-backports install qemu-system-x86 >&2 ||
			die "cannot install qemu-system-x86 from bookworm-backports"
	fi
	# Recommends would bring systemd, LXC, libguestfs, NFS and a kernel.
	install_pkgs --no-install-recommends lava-dispatcher
	# The device types (qemu.jinja2 and its bases) are lava-server's:
	# unpacked from its package, which installs only with a database.
	types=$KPF_CACHE/lava/device-types
	if [ ! -f "$types/qemu.jinja2" ]; then
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/kpf-lava.XXXXXX")
		chmod 755 "$tmp"  # apt downloads as its own user
		(cd "$tmp" && apt-get -q download lava-server >&2) || die "cannot download lava-server"
		dpkg-deb --fsys-tarfile "$tmp"/lava-server_*.deb |
			tar -x -C "$tmp" ./usr/share/lava-server/device-types ||
			die "lava-server's package has no device types"
		mkdir -p "$types" || die "cannot create $types"
		cp "$tmp"/usr/share/lava-server/device-types/* "$types/" || die "cannot write $types"
		rm -rf "$tmp"
	fi
	note "LAVA dispatcher: lava-dispatcher $(dpkg-query -W -f='${Version}' lava-dispatcher), device types in $types"
fi
if [ $lava -eq 2 ]; then
	install_pkgs postgresql
	# No systemd in a container: start the cluster lava-server's
	# installation creates its database in.
	if ! pg_lsclusters -h 2>/dev/null | awk '$4 == "online" { found = 1 } END { exit !found }'; then
		cluster=$(pg_lsclusters -h | awk 'NR == 1 { print $1, $2 }')
		[ -n "$cluster" ] || die "postgresql is installed but has no cluster (pg_createcluster)"
		# shellcheck disable=SC2086 # version and name
		as_root pg_ctlcluster $cluster start || die "cannot start PostgreSQL cluster $cluster"
	fi
	install_pkgs --no-install-recommends lava-server lavacli
	note "LAVA server: lava-server $(dpkg-query -W -f='${Version}' lava-server), lavacli $(dpkg-query -W -f='${Version}' lavacli)"
fi
note "ready: $(aarch64-linux-gnu-gcc --version | head -n 1); $(qemu-system-aarch64 --version | head -n 1)"
