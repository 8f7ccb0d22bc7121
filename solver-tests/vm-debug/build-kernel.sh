#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build the debug test kernel once and cache it.
#
#   solver-tests/vm-debug/build-kernel.sh          # build or reuse; prints
#                                                  # the env file's path
#   solver-tests/vm-debug/build-kernel.sh --env    # ... and prints its
#                                                  # KERNEL= KDIR= MODDIR= KVER=
#
# Debian's linux-source-6.12, `make tinyconfig` plus debug.config (KASAN,
# lockdep, kmemleak, DMA-API debug, fault injection, CMA,
# DMABUF_MOVE_NOTIFY, vivid/vgem/vkms as modules), built out of tree into a
# cache outside the checkout, so a fresh clone or `git clean` does not cost
# another build:
#
#   $CEN_DEBUG_KERNEL_CACHE/debug-kernel-<key>/   (default /var/cache/cenalloc)
#     build/      the O= tree: KDIR for out-of-tree modules (make -C build M=...)
#     mods/       make modules_install INSTALL_MOD_PATH=mods
#     bzImage     the kernel
#     env         KERNEL= KDIR= MODDIR= KVER= for run-vm.sh
#     build.log   the build's output; build-seconds its wall time
#     .complete   written last: an entry without it is finished on next use
#
# <key> hashes what decides the result: debug.config, the base (tinyconfig),
# the kernel source's version and path, and BUILD_VERSION below (bump it
# when a change here changes what is built).  Knobs: LINUX_SRC (source
# tree, default /opt/src/linux-source-6.12, else linux-source-6.12 is
# installed and unpacked into the cache), CEN_DEBUG_KERNEL_CACHE, JOBS.
# Exit status: 0 ready, 2 could not build.
set -euo pipefail

BUILD_VERSION=1
BASE=tinyconfig
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/debug.config
JOBS=${JOBS:-$(nproc)}
PRINT_ENV=0
case ${1:-} in
--env) PRINT_ENV=1 ;;
'') ;;
*) echo "usage: ${0##*/} [--env]" >&2; exit 2 ;;
esac

say() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 2; }

if [[ -z ${CEN_DEBUG_KERNEL_CACHE:-} ]]; then
	CEN_DEBUG_KERNEL_CACHE=/var/cache/cenalloc
	# Not root: the user's cache, still outside the checkout.
	[[ -w /var/cache ]] || CEN_DEBUG_KERNEL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cenalloc
fi
CACHE=$CEN_DEBUG_KERNEL_CACHE
mkdir -p "$CACHE"

# ---- packages ----------------------------------------------------------

# What a kernel build needs on Debian 12 (scripts/packages, group kbuild);
# need-packages installs what is missing.  A script that calls it twice
# gives it one id, so that the package lists are fetched at most once.
NEED=$HERE/../../scripts/need-packages
export CEN_APT_RUN=${CEN_APT_RUN:-debug-kernel.$$.$(date +%s.%N)}
"$NEED" @kbuild >&2 || die "cannot install the packages of a kernel build"

# ---- source ------------------------------------------------------------

if [[ -z ${LINUX_SRC:-} ]]; then
	LINUX_SRC=/opt/src/linux-source-6.12
	if [[ ! -f $LINUX_SRC/Makefile ]]; then
		LINUX_SRC=$CACHE/src/linux-source-6.12
		if [[ ! -f $LINUX_SRC/Makefile ]]; then
			tarball=/usr/src/linux-source-6.12.tar.xz
			[[ -f $tarball ]] || "$NEED" @linux-source >&2 ||
				die "cannot install linux-source-6.12"
			[[ -f $tarball ]] || die "$tarball missing after installing linux-source-6.12"
			say "unpacking $tarball into $CACHE/src"
			rm -rf "$CACHE/src.tmp" && mkdir -p "$CACHE/src.tmp"
			tar -C "$CACHE/src.tmp" -xf "$tarball"
			rm -rf "$CACHE/src" && mv "$CACHE/src.tmp" "$CACHE/src"
		fi
	fi
fi
LINUX_SRC=$(cd "$LINUX_SRC" && pwd -P)
[[ -f $LINUX_SRC/Makefile ]] || die "no kernel source in $LINUX_SRC"
# An O= build refuses a source tree that was configured in place.
[[ ! -e $LINUX_SRC/.config && ! -d $LINUX_SRC/include/config ]] ||
	die "$LINUX_SRC has been built in place; out-of-tree builds need it clean (make mrproper)"
SRC_VERSION=$(make -s -C "$LINUX_SRC" kernelversion 2>/dev/null) ||
	die "cannot read the kernel version of $LINUX_SRC"
# Debian's revision (patches) when the package is what we build from.
DEB_VERSION=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo none)

KEY=$(printf '%s\n' "base=$BASE" "src=$LINUX_SRC" "version=$SRC_VERSION" \
	"deb=$DEB_VERSION" "script=$BUILD_VERSION" | cat - "$FRAGMENT" |
	sha256sum | cut -c1-12)
DIR=$CACHE/debug-kernel-$KEY
B=$DIR/build
mkdir -p "$DIR"

emit() {
	if ((PRINT_ENV)); then cat "$DIR/env"; else echo "$DIR/env"; fi
}

# One build per entry at a time; a second caller waits, then reuses it.
exec 8>"$DIR.lock"
flock 8

complete() {
	[[ -f $DIR/.complete && -f $DIR/bzImage && -f $DIR/env &&
		-f $B/source/Makefile && -f $B/Module.symvers ]]
}
if complete; then
	say "reusing $DIR (built in $(cat "$DIR/build-seconds" 2>/dev/null || echo ?)s)"
	emit
	exit 0
fi
rm -f "$DIR/.complete"

# ---- configure ---------------------------------------------------------

say "building $SRC_VERSION ($DEB_VERSION) from $LINUX_SRC into $DIR"
say "log: $DIR/build.log"
start=$SECONDS
: >"$DIR/build.log"
kmake() { make -C "$LINUX_SRC" O="$B" "$@" >>"$DIR/build.log" 2>&1; }
fail() {
	tail -n 40 "$DIR/build.log" >&2
	die "$* (log: $DIR/build.log)"
}

mkdir -p "$B"
kmake "$BASE" || fail "make $BASE failed"
"$LINUX_SRC/scripts/kconfig/merge_config.sh" -m -O "$B" "$B/.config" "$FRAGMENT" \
	>>"$DIR/build.log" 2>&1 || fail "merging debug.config failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Kconfig drops an option whose dependencies are not met without a word:
# every line of the fragment must have survived, or we stop and name it.
missing=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$B/.config" ||
			missing+=("$line (final: $(grep "^${line%%=*}=" "$B/.config" || echo 'not set'))")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$B/.config" ||
			missing+=("$sym unset (final: $(grep "^$sym=" "$B/.config"))")
		;;
	esac
done <"$FRAGMENT"
if ((${#missing[@]})); then
	printf 'debug-kernel: not in the final .config: %s\n' "${missing[@]}" >&2
	die "debug.config asks for options Kconfig dropped (missing dependency?): fix debug.config"
fi
say "configuration checked: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$FRAGMENT") options of debug.config are in .config"

# ---- build -------------------------------------------------------------

say "make -j$JOBS bzImage modules (cold: about 10 minutes on 2 cores)"
kmake -j"$JOBS" bzImage modules || fail "kernel build failed"
KVER=$(make -s -C "$LINUX_SRC" O="$B" kernelrelease)
rm -rf "$DIR/mods"
# Stripped: the initramfs carries them, and there is no debug info anyway.
kmake INSTALL_MOD_PATH="$DIR/mods" INSTALL_MOD_STRIP=1 modules_install ||
	fail "modules_install failed"
cp "$B/arch/x86/boot/bzImage" "$DIR/bzImage"
cat >"$DIR/env" <<EOF
KERNEL=$DIR/bzImage
KDIR=$B
MODDIR=$DIR/mods/lib/modules/$KVER
KVER=$KVER
EOF
echo $((SECONDS - start)) >"$DIR/build-seconds"
touch "$DIR/.complete"
say "built $KVER in $((SECONDS - start))s"

# Every change of debug.config makes a new entry of ~400 MB: the three
# newest stay, older ones go unless something holds their lock.
for old in $(ls -1dt "$CACHE"/debug-kernel-*/ 2>/dev/null | tail -n +4); do
	old=${old%/}
	[[ $old != "$DIR" ]] || continue
	if (flock -n 9 && rm -rf "$old" "$old.lock") 9>>"$old.lock"; then
		say "removed the old entry $old"
	fi
done
emit
