#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh [--tree DIR] [--patches DIR]... [--name NAME]
#
# Builds an arm64 kernel Image for the suite and prints its path: arm64
# tinyconfig plus the suite's own `config` fragment, out of tree under
# $KPF_CACHE/build/NAME, incrementally, with ccache where installed.
#
#   --tree DIR     the source tree (a git checkout being bisected, say);
#                  built as it is, never modified
#   --patches DIR  apply DIR/*.patch in order; the tree is first copied, so
#                  the source stays pristine (default tree only).  Repeat it
#                  to stack series: a candidate fix on top of the series
#                  it fixes
#   --name NAME    the build directory's name (default: from tree and patches)
#
# Without --tree: Debian's linux-source-$KPF_KERNEL_SERIES (7.3), fetched by
# fetch-source.sh.  Every option the fragment sets is checked in the final
# .config, so a fragment the kernel can't honour is an error, not a silent
# difference.  A kernel built with --patches says what it carries in its
# release: CONFIG_LOCALVERSION is "+DIR" per patch directory, so uname -r
# reads "7.3.4+partitioned-pmu-v8+partitioned-pmu-v8-fixes" wherever the
# image boots, and the known-issues table gates it as what it is.  Exit 1
# on any failure (bisect callers map it to "untestable").
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

tree='' name=''
patches=()
while [ $# -gt 0 ]; do
	case "$1" in
	--tree) [ $# -ge 2 ] || die "--tree needs a directory"; tree=$2; shift ;;
	--patches) [ $# -ge 2 ] || die "--patches needs a directory"; patches+=("$2"); shift ;;
	--name) [ $# -ge 2 ] || die "--name needs a name"; name=$2; shift ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

fragment=$KPF_TOP/config
cross=''
if [ "$(uname -m)" != aarch64 ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		die "aarch64-linux-gnu-gcc not found: run scripts/setup.sh"
	cross=aarch64-linux-gnu-
fi
for tool in flex bison bc; do
	command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done
cc_prefix=''
command -v ccache >/dev/null && cc_prefix='ccache '

# The patch directories, absolute, in the order given.
dirs=()
for d in "${patches[@]}"; do
	[ -d "$d" ] || die "patch directory '$d' does not exist"
	ls "$d"/*.patch >/dev/null 2>&1 || die "no *.patch in '$d'"
	dirs+=("$(cd "$d" && pwd)")
done

# The source: a given tree, or Debian's, copied and patched if asked.
if [ -n "$tree" ]; then
	if [ ! -f "$tree/Makefile" ] || [ ! -d "$tree/arch/arm64" ]; then
		die "'$tree' is not a Linux source tree"
	fi
	tree=$(cd "$tree" && pwd)
	[ ${#patches[@]} -eq 0 ] || die "--patches applies to the default tree only; patch your own tree"
	name=${name:-$(basename "$tree")}
else
	pristine=$("$KPF_TOP/scripts/fetch-source.sh")
	tree=$pristine
	if [ ${#dirs[@]} -gt 0 ]; then
		sum=$(for d in "${dirs[@]}"; do cat "$d"/*.patch; done | sha256sum | cut -c1-12)
		if [ -z "$name" ]; then
			name=$(basename "$pristine")
			for d in "${dirs[@]}"; do name=$name+$(basename "$d"); done
		fi
		tree=$KPF_CACHE/src/$name
		if [ "$(cat "$tree/.kpf-patches" 2>/dev/null)" != "$sum" ]; then
			note "copying $(basename "$pristine") to apply ${dirs[*]}"
			rm -rf "$tree"
			cp -a --reflink=auto "$pristine" "$tree"
			for d in "${dirs[@]}"; do
				for p in "$d"/*.patch; do
					patch -d "$tree" -p1 -s -N <"$p" >/dev/null ||
						die "$(basename "$p") does not apply to $(basename "$pristine") with what precedes it"
				done
			done
			echo "$sum" >"$tree/.kpf-patches"
		fi
	fi
	name=${name:-$(basename "$tree")}
fi

# The patch sets, as the kernel release's suffix (at most 64 characters in all).
localversion=''
for d in "${dirs[@]}"; do localversion=$localversion+$(basename "$d"); done
release=$(make -s -C "$tree" kernelversion 2>/dev/null)$localversion
[ ${#release} -le 64 ] ||
	die "the kernel release '$release' would exceed 64 characters: use shorter patch directory names"

out=$KPF_CACHE/build/$name
mkdir -p "$out"
kmake() {
	make -s -C "$tree" O="$out" ARCH=arm64 CROSS_COMPILE="$cross" CC="${cc_prefix}${cross}gcc" "$@"
}

# Configure only when the fragment (or the tree's Kconfig) changed, so a
# one-file change rebuilds in seconds.
stamp=$( (cat "$fragment"; cat "$tree/Makefile"; echo "$localversion") | sha256sum | cut -c1-16)
if [ "$(cat "$out/.kpf-config" 2>/dev/null)" != "$stamp" ] || [ ! -f "$out/.config" ]; then
	note "configuring $name: tinyconfig + $(basename "$fragment")"
	kmake tinyconfig >/dev/null || die "tinyconfig failed"
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null ||
		die "merging $fragment failed"
	"$tree/scripts/config" --file "$out/.config" --set-str LOCALVERSION "$localversion" ||
		die "setting CONFIG_LOCALVERSION failed"
	kmake olddefconfig >/dev/null || die "olddefconfig failed"
	# An option older kernels don't define (ARM_PMUV3 before 6.4: the
	# driver was arm64's own then) is noted; any other not taken is an error.
	missing='' unknown=''
	while read -r line; do
		grep -qx "$line" "$out/.config" && continue
		sym=${line%%=*}
		if grep -rqx "\(menu\)\{0,1\}config ${sym#CONFIG_}" --include='Kconfig*' "$tree"; then
			missing="$missing $line"
		else
			unknown="$unknown ${sym}"
		fi
	done < <(grep -E '^CONFIG_[A-Z0-9_]*=' "$fragment")
	[ -z "$unknown" ] || note "$name has no$unknown (options of $(basename "$fragment") it doesn't define)"
	[ -z "$missing" ] || die "the kernel did not take these options of $fragment:$missing"
	echo "$stamp" >"$out/.kpf-config"
fi

note "building $name in $out"
kmake -j"$(nproc)" Image >&2 || die "building $name failed"
echo "$out/arch/arm64/boot/Image"
