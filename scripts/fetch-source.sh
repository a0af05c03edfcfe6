#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh [SERIES]: unpack Debian's linux-source-SERIES (7.3 by
# default) into the cache and print the path of the source tree.  Fetched
# with the private apt configuration; a second call does no network work.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

series=${1:-$KPF_KERNEL_SERIES}
tree="$KPF_CACHE/src/linux-source-$series"
if [ ! -f "$tree/Makefile" ]; then
	need_space 2000
	tmp="$KPF_CACHE/src/.pkg-$series"
	rm -rf "$tmp" "$tree"
	priv_apt_fetch src amd64 "linux-source-$series" "$tmp"
	tarball=$(ls "$tmp"/usr/src/linux-source-"$series".tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || die "linux-source-$series holds no source tarball"
	note "unpacking $(basename "$tarball")"
	tar -C "$KPF_CACHE/src" -xf "$tarball" || die "cannot unpack $tarball"
	rm -rf "$tmp"
	[ -f "$tree/Makefile" ] || die "unexpected layout in $(basename "$tarball")"
fi
echo "$tree"
