#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh [SERIES]: obtain Debian's prebuilt arm64 kernel of SERIES
# (7.3 by default; 7.2, 7.1, 7.0, 6.12 and 6.1 work too) without building it,
# and print the path of its image.  The package comes from a private apt
# configuration (scripts/common.sh), so the system's sources stay as they are.
# A second call for the same series does no network work.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

series=${1:-$KPF_KERNEL_SERIES}
case "$series" in
[0-9]*.[0-9]*) ;;
*) die "bad kernel series '$series' (expected e.g. 7.3 or 6.12)" ;;
esac

kdir="$KPF_CACHE/kernels/debian-$series"

find_image() {
	find "$kdir" \( -path '*/boot/vmlinuz-*' -o -path '*/usr/lib/modules/*/vmlinuz' \) \
		-type f 2>/dev/null | sort -V | tail -n 1
}

image=$(find_image)
if [ -z "$image" ]; then
	re_series=${series//./\\.}
	# 7.x ships the image in linux-binary-*; 6.x in linux-image-*-unsigned.
	pkg=$(priv_apt_newest arm64 arm64 "linux-binary-$re_series\.[0-9]+\+deb[0-9]+-arm64")
	[ -n "$pkg" ] ||
		pkg=$(priv_apt_newest arm64 arm64 "linux-image-$re_series\.[0-9.]+(-[0-9]+)?(\+deb[0-9]+)?-arm64-unsigned")
	[ -n "$pkg" ] || die "Debian has no arm64 kernel package for series $series"
	need_space 400
	note "fetching $pkg"
	tmp="$kdir.tmp"
	rm -rf "$tmp"
	priv_apt_fetch arm64 arm64 "$pkg" "$tmp"
	rm -rf "$kdir"
	mv "$tmp" "$kdir"
	image=$(find_image)
	[ -n "$image" ] || die "$pkg holds no kernel image"
fi
echo "$image"
