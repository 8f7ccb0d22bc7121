#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh ENV OUT - build cenalloc.ko and cen_importer.ko for the kernel
# that fetch.sh (or the debug kernel's build-kernel.sh) described in ENV,
# in a copy of the sources under OUT/src, with that kernel's compiler:
#
#   Debian 12 kernels   the host's gcc-12 (cross: aarch64-linux-gnu-gcc-12)
#   Debian 13 kernels   gcc-14 in the trixie root of toolchain.sh, entered
#                       with chroot; the kernel's cache entry and OUT are
#                       bind-mounted into it at the same paths, in a mount
#                       namespace of their own (unshare -m) that ends with
#                       the build.
#
# Building in a copy keeps each kernel's objects apart from the others'
# and from kernel/exporter, where whoever edits the module builds.
# Prints nothing on success; OUT/kbuild.log has the compiler's output.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ENV=${1:?usage: kbuild.sh ENV OUT}
OUT=${2:?usage: kbuild.sh ENV OUT}

die() { printf 'kbuild: error: %s\n' "$*" >&2; exit 2; }

KVER='' KDIR='' ARCH='' SUITE=bookworm
# shellcheck source=/dev/null
. "$ENV"
[[ -n $KDIR && -n $KVER ]] || die "$ENV: no KDIR/KVER"
ARCH=${ARCH:-amd64}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
SRC=$OUT/src
rm -rf "$SRC"
mkdir -p "$SRC"
tar -C "$ROOT" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude=Module.symvers --exclude=modules.order \
	kernel uapi solver-tests/vm/importer | tar -C "$SRC" -xf -

MAKE_ARGS=(KDIR="$KDIR")
[[ $ARCH == arm64 ]] && MAKE_ARGS+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
# Both modules, the importer against the exporter's symbol versions.
export BUILD="make -s -C $SRC/kernel/exporter ${MAKE_ARGS[*]} &&
	make -s -C $SRC/solver-tests/vm/importer ${MAKE_ARGS[*]} \
		EXPORTER_SYMVERS=$SRC/kernel/exporter/Module.symvers"

TOOLCHAIN=$("$HERE/toolchain.sh" "$SUITE")
LOG=$OUT/kbuild.log
if [[ $TOOLCHAIN == / ]]; then
	bash -c "$BUILD" >"$LOG" 2>&1 || { cat "$LOG" >&2; die "modules do not build against $KVER"; }
	exit 0
fi

# The kernel tree: the fetch.sh cache entry (…/kernels/<release>, two
# levels above KDIR's usr/src) or the debug kernel's directory.
KTREE=$(cd "$KDIR" && pwd -P)
case $KTREE in
*/root/usr/src/*) KTREE=${KTREE%/root/usr/src/*} ;;
esac
# A mount namespace of our own, whose mounts end with the build.  unshare
# first makes / private in it, which fails where / is no mount point (in a
# chroot, as fresh-check runs us): there its propagation stays as it is,
# and the script unmounts what it mounted itself, so that nothing can
# outlive the build even where mounts propagate.
NS=(unshare -m)
unshare -m true 2>/dev/null || NS=(unshare -m --propagation unchanged)
# shellcheck disable=SC2016 # the script expands its own variables
"${NS[@]}" bash -c '
	set -e
	tc=$1; shift
	mounted=()
	trap '\''for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}"; done'\'' EXIT
	for d in "$@"; do
		mkdir -p "$tc$d"
		mount --bind "$d" "$tc$d"
		mounted+=("$tc$d")
	done
	# objtool reads its stack limit from /proc/self/maps.
	mount -t proc proc "$tc/proc"
	mounted+=("$tc/proc")
	chroot "$tc" /bin/bash -c "$BUILD"
' unshare "$TOOLCHAIN" "$KTREE" "$OUT" >"$LOG" 2>&1 ||
	{ cat "$LOG" >&2; die "modules do not build against $KVER (in $TOOLCHAIN)"; }
