#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# source.sh - print the tree of the newest linux-source-X.Y of Debian 13's
# trixie-backports, unpacked once into $CEN_CACHE/src/linux-source-X.Y_VERSION.
#
# The package is found in the lists at run time (apt.sh: a private apt
# state; the host is Debian 12 and its apt configuration is not touched),
# downloaded, not installed, and unpacked through a temporary directory,
# so that a tree under that name is always whole.  Each Debian version gets
# a tree of its own: the package follows stable releases under one name.
# Used by the debug kernel's build (vm-debug/build-kernel.sh) and for the
# kernel's own selftests (vm/tests/kselftest.mk).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=apt.sh
. "$HERE/apt.sh"

say() { printf 'source: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

# Offline, the lists of an earlier run still name a source.
cen_apt_init trixie || say "cannot refresh the trixie package lists; using the cached ones"
pkg=$(cen_apt cache pkgnames linux-source- 2>/dev/null |
	grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1) || true
[[ -n $pkg ]] || die "no linux-source-X.Y in the trixie package lists"
version=$(cen_apt cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
[[ -n $version && $version != '(none)' ]] || die "no candidate version of $pkg"
SRC=$CEN_CACHE/src/${pkg}_$version
mkdir -p "$CEN_CACHE/src"
if [[ ! -f $SRC/Makefile ]]; then
	exec 6>"$SRC.lock"
	flock 6
fi
if [[ ! -f $SRC/Makefile ]]; then
	dl=$(mktemp -d "$CEN_CACHE/src/.download.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	say "downloading $pkg $version"
	(cd "$dl" && cen_apt get download "$pkg=$version") >"$dl/download.log" 2>&1 ||
		{ cat "$dl/download.log" >&2; die "cannot download $pkg $version"; }
	dpkg-deb -x "$dl"/"$pkg"_*.deb "$dl/root" || die "cannot extract the $pkg package"
	say "unpacking $pkg.tar.xz into $SRC"
	tar -C "$dl" -xf "$dl/root/usr/src/$pkg.tar.xz" || die "cannot unpack $pkg.tar.xz"
	[[ -f $dl/$pkg/Makefile ]] || die "$pkg.tar.xz holds no kernel tree"
	rm -rf "$SRC"
	mv "$dl/$pkg" "$SRC"
fi
echo "$SRC"
