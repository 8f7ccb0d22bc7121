#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh ENV OUT - build cenalloc.ko and cen_importer.ko for the kernel
# that fetch.sh (or the debug kernel's build-kernel.sh) described in ENV,
# in a copy of the sources under OUT/src, with that kernel's compiler
# (kmake.sh: Debian 12's gcc-12 on the host, Debian 13's gcc-14 in the
# trixie root of toolchain.sh).
#
# Building in a copy keeps each kernel's objects apart from the others'
# and from kernel/exporter, where whoever edits the module builds.
# Prints nothing on success; OUT/kbuild.log has the compiler's output.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ENV=${1:?usage: kbuild.sh ENV OUT}
OUT=${2:?usage: kbuild.sh ENV OUT}
# shellcheck source=kmake.sh
. "$HERE/kmake.sh"

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

cen_kmake_args "$ARCH"
MAKE_ARGS=(KDIR="$KDIR" "${KMAKE_ARGS[@]}")
# Both modules, the importer against the exporter's symbol versions.
BUILD="make -s -C $SRC/kernel/exporter ${MAKE_ARGS[*]} &&
	make -s -C $SRC/solver-tests/vm/importer ${MAKE_ARGS[*]} \
		EXPORTER_SYMVERS=$SRC/kernel/exporter/Module.symvers"

TOOLCHAIN=$("$HERE/toolchain.sh" "$SUITE")
LOG=$OUT/kbuild.log
where=''
[[ $TOOLCHAIN == / ]] || where=" (in $TOOLCHAIN)"
cen_kmake_run "$TOOLCHAIN" "$KDIR" "$OUT" "$BUILD" >"$LOG" 2>&1 ||
	{ cat "$LOG" >&2; die "modules do not build against $KVER$where"; }
