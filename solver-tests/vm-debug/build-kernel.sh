#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build a debug test kernel once and cache it.
#
#   solver-tests/vm-debug/build-kernel.sh [--series S] [--arch A] [--env]
#
#   --series 6.12     Debian 12's linux-source-6.12 (the default)
#            newest   the newest linux-source-X.Y of Debian 13's
#                     trixie-backports, looked up at run time
#   --arch amd64      x86_64, bzImage (the default)
#          arm64      cross-built with Debian 12's gcc-aarch64-linux-gnu;
#                     Image, for qemu-system-aarch64 -M virt
#   --env             print the env file's KERNEL= KDIR= MODDIR= ... instead
#                     of its path
#
# `make tinyconfig` plus debug.config (KASAN, lockdep, kmemleak, DMA-API
# debug, fault injection, CMA, vivid/vgem/vkms as modules), the platform's
# debug-<arch>.config and the series' debug-<series>.config, built with the
# host's gcc-12 out of tree into a cache outside the checkout, so a fresh
# clone or `git clean` does not cost another build:
#
#   $CEN_DEBUG_KERNEL_CACHE/debug-kernel-<key>/   (default /var/cache/cenalloc)
#     build/      the O= tree: KDIR for out-of-tree modules (make -C build M=...)
#     mods/       make modules_install INSTALL_MOD_PATH=mods
#     bzImage     the kernel (arm64: Image)
#     env         KERNEL= KDIR= MODDIR= KVER= for run-vm.sh; entries built
#                 since the per-architecture split also ARCH= SUITE= SERIES=
#                 DEB_VERSION= as solver-tests/kernels/fetch.sh writes them
#                 (SUITE=bookworm: the toolchain, the host's gcc-12)
#     build.log   the build's output; build-seconds its wall time
#     target      "<series> <arch>" (entries without it: 6.12 amd64)
#     .complete   written last: an entry without it is finished on next use
#
# <key> hashes what decides the result: the fragments' settings (not their
# comments), the base (tinyconfig), the kernel source's version, Debian
# revision and path, the series, the architecture, the compiler and
# BUILD_VERSION below (bump it when a change here changes what is built).
# Knobs: LINUX_SRC (a source tree; by default for 6.12
# /opt/src/linux-source-6.12, else linux-source-6.12 is installed and
# unpacked into the cache; for newest the package is downloaded, not
# installed, with solver-tests/kernels/apt.sh and unpacked into the cache),
# CEN_DEBUG_KERNEL_CACHE, JOBS.
# Exit status: 0 ready, 2 could not build.
set -euo pipefail

BUILD_VERSION=1
BASE=tinyconfig
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JOBS=${JOBS:-$(nproc)}
PRINT_ENV=0
SERIES=6.12
ARCH=amd64
usage() { echo "usage: ${0##*/} [--series 6.12|newest] [--arch amd64|arm64] [--env]" >&2; exit 2; }
while (($#)); do
	case $1 in
	--env) PRINT_ENV=1 ;;
	--series) (($# > 1)) || usage; SERIES=$2; shift ;;
	--arch) (($# > 1)) || usage; ARCH=$2; shift ;;
	*) usage ;;
	esac
	shift
done

say() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 2; }

case $SERIES in 6.12 | newest) ;; *) usage ;; esac
# The kernel's name for the architecture, how to build for it, and what
# the boot image is.
case $ARCH in
amd64)
	CONFIG_ARCH=x86_64
	CROSS=
	KMAKE_ARGS=()
	IMAGE_TARGET=bzImage
	IMAGE_PATH=arch/x86/boot/bzImage
	;;
arm64)
	CONFIG_ARCH=arm64
	CROSS=aarch64-linux-gnu-
	KMAKE_ARGS=(ARCH=arm64 "CROSS_COMPILE=$CROSS")
	# Uncompressed: QEMU boots it as it is, and Image.gz would only
	# add a gzip step to every build.
	IMAGE_TARGET=Image
	IMAGE_PATH=arch/arm64/boot/Image
	;;
*) usage ;;
esac
FRAGMENTS=("$HERE/debug.config" "$HERE/debug-$CONFIG_ARCH.config" "$HERE/debug-$SERIES.config")
for f in "${FRAGMENTS[@]}"; do
	[[ -f $f ]] || die "${f#"$HERE"/} missing"
done

if [[ -z ${CEN_DEBUG_KERNEL_CACHE:-} ]]; then
	CEN_DEBUG_KERNEL_CACHE=/var/cache/cenalloc
	# Not root: the user's cache, still outside the checkout.
	[[ -w /var/cache ]] || CEN_DEBUG_KERNEL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cenalloc
fi
CACHE=$CEN_DEBUG_KERNEL_CACHE
mkdir -p "$CACHE/src"

# ---- packages ----------------------------------------------------------

# What a kernel build needs on Debian 12 (scripts/packages, group kbuild;
# kbuild-arm64 adds the cross compiler); need-packages installs what is
# missing.  A script that calls it twice gives it one id, so that the
# package lists are fetched at most once.
NEED=$HERE/../../scripts/need-packages
export CEN_APT_RUN=${CEN_APT_RUN:-debug-kernel.$$.$(date +%s.%N)}
groups=(@kbuild)
[[ $ARCH == amd64 ]] || groups+=("@kbuild-$ARCH")
"$NEED" "${groups[@]}" >&2 || die "cannot install the packages of a kernel build"

# ---- source ------------------------------------------------------------

# Unpack /usr/src/linux-source-X.Y.tar.xz of an installed or extracted
# package as $CACHE/src/NAME: through a temporary directory, so that a
# tree under that name is always whole.  Other trees there stay.
unpack() {
	local tarball=$1 name=$2 tmp
	tmp=$(mktemp -d "$CACHE/src/.unpack.XXXXXX")
	say "unpacking ${tarball##*/} into $CACHE/src/$name"
	tar -C "$tmp" -xf "$tarball" || { rm -rf "$tmp"; return 1; }
	[[ -f $tmp/${3:-$name}/Makefile ]] || { rm -rf "$tmp"; return 1; }
	rm -rf "${CACHE:?}/src/$name"
	mv "$tmp/${3:-$name}" "$CACHE/src/$name"
	rm -rf "$tmp"
}

# Debian 12's linux-source-6.12: installed from the host's lists.
source_6_12() {
	LINUX_SRC=/opt/src/linux-source-6.12
	[[ ! -f $LINUX_SRC/Makefile ]] || return 0
	LINUX_SRC=$CACHE/src/linux-source-6.12
	[[ ! -f $LINUX_SRC/Makefile ]] || return 0
	exec 6>"$LINUX_SRC.lock"
	flock 6
	# Another caller may have unpacked it meanwhile.
	[[ ! -f $LINUX_SRC/Makefile ]] || return 0
	local tarball=/usr/src/linux-source-6.12.tar.xz
	[[ -f $tarball ]] || "$NEED" @linux-source >&2 ||
		die "cannot install linux-source-6.12"
	[[ -f $tarball ]] || die "$tarball missing after installing linux-source-6.12"
	unpack "$tarball" linux-source-6.12 || die "cannot unpack $tarball"
	# Held shared from here on, as below.
	flock -s 6
	SRC_HELD=1
}

# The newest linux-source-X.Y of trixie-backports, found in its package
# lists, downloaded (not installed: the host is Debian 12) and unpacked
# once by kernels/source.sh into $CACHE/src/linux-source-X.Y_VERSION: each
# Debian version gets a tree of its own, since the package follows the
# stable releases under one name, and the entries built from an older one
# keep their source (their KDIR links to it).
source_newest() {
	# source.sh keeps its trees under $CEN_CACHE: the same as ours
	# unless told otherwise.
	LINUX_SRC=$(CEN_CACHE=${CEN_CACHE:-$CACHE} "$HERE/../kernels/source.sh") ||
		die "cannot fetch the newest linux-source"
	local base=${LINUX_SRC##*/}
	DEB_PACKAGE=${base%%_*}
	DEB_VERSION=${base#*_}
}

DEB_PACKAGE=none
DEB_VERSION=none
SRC_HELD=0
if [[ -z ${LINUX_SRC:-} ]]; then
	case $SERIES in
	6.12) source_6_12 ;;
	newest) source_newest ;;
	esac
fi
if [[ $SERIES == 6.12 ]]; then
	# Debian's revision (patches) when the package is what we build from.
	DEB_PACKAGE=linux-source-6.12
	DEB_VERSION=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo none)
fi
LINUX_SRC=$(cd "$LINUX_SRC" && pwd -P)
[[ -f $LINUX_SRC/Makefile ]] || die "no kernel source in $LINUX_SRC"
# An O= build refuses a source tree that was configured in place.
[[ ! -e $LINUX_SRC/.config && ! -d $LINUX_SRC/include/config ]] ||
	die "$LINUX_SRC has been built in place; out-of-tree builds need it clean (make mrproper)"
SRC_VERSION=$(make -s -C "$LINUX_SRC" kernelversion 2>/dev/null) ||
	die "cannot read the kernel version of $LINUX_SRC"
# A tree of the cache being built from is held shared: the pruning at the
# end removes only trees of the newest series that nothing uses.
if [[ $LINUX_SRC == "$(cd "$CACHE/src" && pwd -P)"/* ]] && ((!SRC_HELD)); then
	exec 6>>"$LINUX_SRC.lock"
	flock -s 6
fi

# The compiler's version is part of the key: out-of-tree modules must be
# built with the same one (kbuild compares CONFIG_CC_VERSION_TEXT).
CC_VERSION=$("${CROSS}gcc" --version 2>/dev/null | head -n 1) || true
[[ -n $CC_VERSION ]] || die "no compiler ${CROSS}gcc"

KEY=$({
	printf '%s\n' "base=$BASE" "src=$LINUX_SRC" "version=$SRC_VERSION" \
		"deb=$DEB_VERSION" "script=$BUILD_VERSION" "series=$SERIES" \
		"arch=$ARCH" "cc=$CC_VERSION"
	# Of each fragment what merge_config.sh reads, its settings: an
	# edited comment does not cost a rebuild.
	for f in "${FRAGMENTS[@]}"; do
		printf 'fragment=%s\n' "${f##*/}"
		grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$f" || true
	done
} | sha256sum | cut -c1-12)
# Until debug.config was split by architecture and series, the key of the
# 6.12 x86_64 kernel hashed debug.config alone, comments included.  The
# entry built then keeps its name as long as nothing above changes (the
# split fragments were checked to give that entry's .config byte for
# byte), so the split costs no rebuild.  Drop this when that entry is gone.
case $KEY in
884b6343d0b2) KEY=87bb2d038127 ;;
esac
DIR=$CACHE/debug-kernel-$KEY
B=$DIR/build
IMAGE=$DIR/${IMAGE_PATH##*/}
mkdir -p "$DIR"

emit() {
	if ((PRINT_ENV)); then cat "$DIR/env"; else echo "$DIR/env"; fi
}

# One build per entry at a time; a second caller waits, then reuses it.
exec 8>"$DIR.lock"
flock 8

complete() {
	[[ -f $DIR/.complete && -f $IMAGE && -f $DIR/env &&
		-f $B/source/Makefile && -f $B/Module.symvers ]]
}
if complete; then
	say "reusing $DIR (built in $(cat "$DIR/build-seconds" 2>/dev/null || echo ?)s)"
	emit
	exit 0
fi
rm -f "$DIR/.complete"

# ---- configure ---------------------------------------------------------

say "building $SRC_VERSION ($DEB_PACKAGE $DEB_VERSION) for $ARCH from $LINUX_SRC into $DIR"
say "log: $DIR/build.log"
start=$SECONDS
: >"$DIR/build.log"
kmake() { make -C "$LINUX_SRC" O="$B" "${KMAKE_ARGS[@]}" "$@" >>"$DIR/build.log" 2>&1; }
fail() {
	tail -n 40 "$DIR/build.log" >&2
	die "$* (log: $DIR/build.log)"
}

mkdir -p "$B"
kmake "$BASE" || fail "make $BASE failed"
"$LINUX_SRC/scripts/kconfig/merge_config.sh" -m -O "$B" "$B/.config" "${FRAGMENTS[@]}" \
	>>"$DIR/build.log" 2>&1 || fail "merging the fragments failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Kconfig drops an option whose dependencies are not met without a word:
# every line of the fragments must have survived, or we stop and name it.
missing=()
for f in "${FRAGMENTS[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$B/.config" ||
				missing+=("${f##*/}: $line (final: $(grep "^${line%%=*}=" "$B/.config" || echo 'not set'))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$B/.config" ||
				missing+=("${f##*/}: $sym unset (final: $(grep "^$sym=" "$B/.config"))")
			;;
		esac
	done <"$f"
done
if ((${#missing[@]})); then
	printf 'debug-kernel: not in the final .config: %s\n' "${missing[@]}" >&2
	die "the fragments ask for options Kconfig dropped (missing dependency? renamed?): fix them"
fi
say "configuration checked: all $(cat "${FRAGMENTS[@]}" | grep -cE '^(CONFIG_|# CONFIG_.* is not set)') options of ${FRAGMENTS[*]##*/} are in .config"

# ---- build -------------------------------------------------------------

say "make -j$JOBS $IMAGE_TARGET modules (cold: 10 to 30 minutes on 2 cores)"
kmake -j"$JOBS" "$IMAGE_TARGET" modules || fail "kernel build failed"
KVER=$(make -s -C "$LINUX_SRC" O="$B" "${KMAKE_ARGS[@]}" kernelrelease)
rm -rf "$DIR/mods"
# Stripped: the initramfs carries them, and there is no debug info anyway.
kmake INSTALL_MOD_PATH="$DIR/mods" INSTALL_MOD_STRIP=1 modules_install ||
	fail "modules_install failed"
cp "$B/$IMAGE_PATH" "$IMAGE"
cat >"$DIR/env" <<EOF
KERNEL=$IMAGE
KDIR=$B
MODDIR=$DIR/mods/lib/modules/$KVER
KVER=$KVER
ARCH=$ARCH
SUITE=bookworm
SERIES=$SERIES
DEB_VERSION=$DEB_VERSION
EOF
echo "$SERIES $ARCH" >"$DIR/target"
echo $((SECONDS - start)) >"$DIR/build-seconds"
touch "$DIR/.complete"
say "built $KVER for $ARCH in $((SECONDS - start))s"

# ---- pruning -----------------------------------------------------------

# Every change of a fragment makes a new entry of 400 MB to 1 GB: the
# three newest of each series and architecture stay, older ones go unless
# something holds their lock.
target_of() { cat "$1/target" 2>/dev/null || echo "6.12 amd64"; }
n=0
for old in $(ls -1dt "$CACHE"/debug-kernel-*/ 2>/dev/null); do
	old=${old%/}
	[[ $(target_of "$old") == "$SERIES $ARCH" ]] || continue
	((++n > 3)) || continue
	[[ $old != "$DIR" ]] || continue
	if (flock -n 9 && rm -rf "$old" "$old.lock") 9>>"$old.lock"; then
		say "removed the old entry $old"
	fi
done
# A newest-series source tree (1.5 GB) that no entry builds from any more
# and no build holds: a newer Debian version has replaced it.
for src in "$CACHE"/src/linux-source-*_*/; do
	src=${src%/}
	[[ -d $src && $src != "$LINUX_SRC" ]] || continue
	used=0
	for b in "$CACHE"/debug-kernel-*/build/source; do
		[[ $(readlink -f "$b") != "$src" ]] || used=1
	done
	((!used)) || continue
	if (flock -n 9 && rm -rf "$src" "$src.lock") 9>>"$src.lock"; then
		say "removed the unused source $src"
	fi
done
emit
