#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# toolchain.sh SUITE - print the root of a cached minimal Debian SUITE
# system that holds the compilers its kernels were built with.
#
# Debian 13's kernels (trixie-backports) are built with gcc-14, and their
# kbuild tools link against trixie's C library: a module for them is built
# inside such a root (kbuild.sh chroots into it), as the kernel's own users
# would build it.  Debian 12's kernels use the host's gcc-12: for bookworm
# this prints "/".
#
# The root is made once with debootstrap (minbase) under
# $CEN_CACHE/root-SUITE-<key>/, <key> hashing the package list below;
# .complete marks a finished one.  About 300 MB and three minutes.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=${1:?usage: toolchain.sh bookworm|trixie}
# shellcheck source=apt.sh
. "$HERE/apt.sh"

say() { printf 'toolchain: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

case $SUITE in
bookworm) echo /; exit 0 ;;
trixie) ;;
*) die "unknown suite $SUITE" ;;
esac

# What building a module for the suite's amd64 and arm64 kernels needs:
# the compiler the headers name (gcc-14-for-host), the arm64 cross
# compiler, and what the kbuild tools link against (linux-kbuild's
# dependencies: pahole, libelf, libssl, zlib; python3 for scripts of
# 6.18's module build).
PACKAGES="make gcc-14 gcc-14-aarch64-linux-gnu binutils binutils-aarch64-linux-gnu
libc6-dev pahole libelf1t64 libssl3t64 zlib1g bc kmod python3"
# shellcheck disable=SC2086 # one word per package
KEY=$(printf '%s\n' "$SUITE" $PACKAGES | sha256sum | cut -c1-12)
ROOT=$CEN_CACHE/root-$SUITE-$KEY
mkdir -p "$CEN_CACHE"
exec 8>"$ROOT.lock"
flock 8
if [[ -f $ROOT/.complete ]]; then
	echo "$ROOT"
	exit 0
fi

"$HERE/../../scripts/need-packages" debootstrap >&2
read -r mirror _ <<<"$(cen_apt_mirrors)"
rm -rf "$ROOT"
say "making a $SUITE root with gcc-14 in $ROOT (once, a few minutes)"
log=$ROOT.log
# shellcheck disable=SC2086 # one word per package
debootstrap --variant=minbase --include="$(echo $PACKAGES | tr ' ' ,)" \
	"$SUITE" "$ROOT" "$mirror" >"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "debootstrap $SUITE failed (log: $log)"; }
# No daemons, no caches: the root only runs make and gcc.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb
touch "$ROOT/.complete"
say "ready: $ROOT ($(du -sh "$ROOT" | cut -f1))"
echo "$ROOT"
