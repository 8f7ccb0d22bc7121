#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# source.sh [SUITE VERSION [DIR]] - print the tree of a Debian kernel
# source, unpacked once into a cache outside the checkout:
#
#   source.sh                 the newest linux-source-X.Y of Debian 13's
#                             trixie-backports, whole, in
#                             $CEN_CACHE/src/linux-source-X.Y_VERSION
#   source.sh SUITE VERSION   linux-source-X.Y of exactly VERSION, from the
#                             lists of SUITE (bookworm, or trixie with its
#                             backports); X.Y is VERSION's own: a kernel
#                             package's version names its source's
#   ... DIR                   only that folder of the tree (e.g.
#                             drivers/gpu/drm/vkms), kept under
#                             $CEN_CACHE/src/part/linux-source-X.Y_VERSION
#                             (or taken from the whole tree if that is
#                             there); prints the folder
#
# The package is found in the lists at run time (apt.sh: a private apt
# state; the host is Debian 12 and its apt configuration is not touched),
# downloaded, not installed, and unpacked through a temporary directory,
# so that a tree under that name is always whole.  A version the lists no
# longer name (an older point release of a backports line) comes from the
# pool, as fetch.sh does for headers; where the host has the package of
# that very version installed, its tarball serves without a download.
# Each Debian version gets a tree of its own: the package follows stable
# releases under one name.  Used by the debug kernel's build
# (vm-debug/build-kernel.sh), for the kernel's own selftests
# (vm/tests/kselftest.mk) and for vkms on Debian's kernels (vkms.sh).
# Exit status: 0, 2 error, 3 no linux-source of that version (callers that
# can do without, skip).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=apt.sh
. "$HERE/apt.sh"

say() { printf 'source: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

SUITE=${1:-}
VERSION=${2:-}
PART=${3:-}
if [[ -z $SUITE ]]; then
	SUITE=trixie
	# Offline, the lists of an earlier run still name a source.
	cen_apt_init trixie || say "cannot refresh the trixie package lists; using the cached ones"
	pkg=$(cen_apt cache pkgnames linux-source- 2>/dev/null |
		grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1) || true
	[[ -n $pkg ]] || die "no linux-source-X.Y in the trixie package lists"
	version=$(cen_apt cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[[ -n $version && $version != '(none)' ]] || die "no candidate version of $pkg"
else
	case $SUITE in bookworm | trixie) ;; *) die "unknown suite $SUITE (bookworm, trixie)" ;; esac
	[[ $VERSION =~ ^([0-9]+\.[0-9]+)[.~-] ]] ||
		die "usage: source.sh [SUITE VERSION [DIR]]; '$VERSION' is no kernel package version"
	pkg=linux-source-${BASH_REMATCH[1]}
	version=$VERSION
	cen_apt_init "$SUITE" || say "cannot refresh the $SUITE package lists; using the cached ones"
fi

SRC=$CEN_CACHE/src/${pkg}_$version
if [[ -n $PART ]]; then
	PART=${PART%/}
	if [[ -f $SRC/Makefile && -d $SRC/$PART ]]; then
		echo "$SRC/$PART"
		exit 0
	fi
	DEST=$CEN_CACHE/src/part/${pkg}_$version
	WANT=$DEST/$PART
else
	DEST=$SRC
	WANT=$SRC/Makefile
fi
mkdir -p "$CEN_CACHE/src/part"
if [[ ! -e $WANT ]]; then
	exec 6>"$DEST.lock"
	flock 6
fi
if [[ -e $WANT ]]; then
	echo "${WANT%/Makefile}"
	exit 0
fi

dl=$(mktemp -d "$CEN_CACHE/src/.download.XXXXXX")
trap 'rm -rf "$dl"' EXIT

# The package's tarball: the host's own when the installed package is of
# that very version, else from the .deb of the lists or of the pool.
tarball() {
	local url
	if [[ $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) == "$version" &&
		-f /usr/src/$pkg.tar.xz ]]; then
		echo "/usr/src/$pkg.tar.xz"
		return
	fi
	if cen_apt cache show "$pkg=$version" >/dev/null 2>&1; then
		say "downloading $pkg $version"
		(cd "$dl" && cen_apt get download "$pkg=$version") >"$dl/download.log" 2>&1 ||
			{ cat "$dl/download.log" >&2; die "cannot download $pkg $version"; }
	else
		url=${CEN_APT_MIRROR%/}/pool/main/l/linux/${pkg}_${version//:/%3a}_all.deb
		say "$pkg $version is not in the $SUITE package lists: trying the pool"
		if ! /usr/lib/apt/apt-helper download-file "$url" "$dl/${url##*/}" \
			>"$dl/download.log" 2>&1; then
			if grep -q '404' "$dl/download.log"; then
				say "no $pkg of version $version (neither in the $SUITE package lists nor in the pool)"
				exit 3
			fi
			cat "$dl/download.log" >&2
			die "cannot download $url"
		fi
	fi
	dpkg-deb -x "$dl"/"$pkg"_*.deb "$dl/root" || die "cannot extract the $pkg package"
	echo "$dl/root/usr/src/$pkg.tar.xz"
}
tar=$(tarball) || exit
say "unpacking ${PART:-$pkg.tar.xz} of $pkg $version into ${WANT%/Makefile}"
# The whole tree, or the one folder (xz still decompresses all of it).
tar -C "$dl" -xf "$tar" "$pkg${PART:+/$PART}" || die "cannot unpack $pkg${PART:+/$PART} from $tar"
if [[ -n $PART ]]; then
	[[ -d $dl/$pkg/$PART ]] || die "$pkg.tar.xz holds no folder $PART"
	mkdir -p "$(dirname "$WANT")"
	rm -rf "$WANT"
	mv "$dl/$pkg/$PART" "$WANT"
else
	[[ -f $dl/$pkg/Makefile ]] || die "$pkg.tar.xz holds no kernel tree"
	rm -rf "$SRC"
	mv "$dl/$pkg" "$SRC"
fi
echo "${WANT%/Makefile}"
