#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh SERIES ARCH - fetch a Debian kernel, its modules and headers
# into a cache outside the checkout; print the path of its env file.
#
#   SERIES  6.1      Debian 12's default kernel (metapackage linux-image-ARCH)
#           6.12     Debian 12's 6.12 (metapackage linux-image-6.12-ARCH)
#           6.18     the newest 6.18 of Debian 13's trixie-backports (the LTS line)
#           newest   the newest kernel of trixie-backports
#   ARCH    amd64 | arm64
#
# The version is looked up in the package lists at run time (apt.sh), never
# written down.  The packages are downloaded, not installed, and unpacked
# with dpkg-deb into $CEN_CACHE/kernels/<release>/root; the headers'
# Makefile is pointed at the unpacked -common tree, and their scripts/ and
# tools/ links resolve to the unpacked amd64 kbuild (the host tools, also
# for arm64 headers).  The env file holds, for run.sh and kbuild.sh:
#
#   KVER KERNEL MODDIR KDIR   as run-vm.sh takes them
#   ARCH                      amd64 | arm64
#   SUITE TOOLCHAIN           the Debian suite and the root its compiler is
#                             in (toolchain.sh; "/" for bookworm)
set -euo pipefail
shopt -s extglob
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERIES=${1:?usage: fetch.sh 6.1|6.12|6.18|newest amd64|arm64}
ARCH=${2:?usage: fetch.sh SERIES amd64|arm64}
# shellcheck source=apt.sh
. "$HERE/apt.sh"

say() { printf 'kernels: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

case $ARCH in amd64 | arm64) ;; *) die "unknown architecture $ARCH" ;; esac
case $SERIES in
6.1 | 6.12) SUITE=bookworm ;;
6.18 | newest) SUITE=trixie ;;
*) die "unknown series $SERIES (6.1, 6.12, 6.18, newest)" ;;
esac
cen_apt_init "$SUITE" || die "cannot fetch the $SUITE package lists"

# The kernel release (ABI name with flavour, e.g. 6.1.0-57-amd64).
release() {
	local meta='' names
	case $SERIES in
	6.1) meta=linux-image-$ARCH ;;
	6.12) meta=linux-image-6.12-$ARCH ;;
	esac
	if [[ -n $meta ]]; then
		cen_apt cache depends "$meta:$ARCH" 2>/dev/null |
			sed -n "s/^ *Depends: linux-image-\([0-9][^ :]*-$ARCH\)\(:$ARCH\)\{0,1\}$/\1/p" |
			sort -V | tail -n 1
		return
	fi
	names=$(cen_apt cache pkgnames linux-image- 2>/dev/null |
		sed -n "s/^linux-image-\([0-9][^-]*-$ARCH\)$/\1/p" | sort -V)
	case $SERIES in
	6.18) grep '^6\.18\.' <<<"$names" | tail -n 1 ;;
	newest) tail -n 1 <<<"$names" ;;
	esac
}
KVER=$(release)
[[ -n $KVER ]] || die "no $SERIES kernel for $ARCH in the $SUITE package lists"
DIR=$CEN_CACHE/kernels/$KVER
ROOTFS=$DIR/root
mkdir -p "$DIR"
exec 8>"$DIR.lock"
flock 8
if [[ -f $DIR/.complete ]]; then
	echo "$DIR/env"
	exit 0
fi

# A package's version, and the names among its dependencies that match
# a shell pattern (versions hold '+' and '.': no regular expressions).
# Dependencies of a foreign-architecture package may show as virtual
# (<name:arch>): the name is what counts.
version() { cen_apt cache show "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1; }
# shellcheck disable=SC2053 # $2 is a pattern
depends() {
	cen_apt cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: <\{0,1\}\([^ :<>]*\).*/\1/p' |
		while read -r p; do [[ $p == $2 ]] && echo "$p"; done
}

IMAGE=linux-image-$KVER
VERSION=$(version "$IMAGE:$ARCH")
[[ -n $VERSION ]] || die "no version of $IMAGE"
BASE=${KVER%-"$ARCH"}
# Debian 13's kernels split the image: linux-binary-* holds vmlinuz,
# linux-modules-* the modules.
PKGS=("$IMAGE:$ARCH")
for p in $(depends "$IMAGE:$ARCH" "linux-@(binary|modules)-$BASE-$ARCH"); do
	PKGS+=("$p:$ARCH")
done

# Headers: from the lists when they are there; an older point release of
# a backports line (6.18) may have left the lists while its files remain
# in the pool, where the image's version names them.
DEBS=$DIR/debs
mkdir -p "$DEBS"
POOL=()
if [[ -n $(version "linux-headers-$KVER:$ARCH") ]]; then
	PKGS+=("linux-headers-$KVER:$ARCH")
	for p in $(depends "linux-headers-$KVER:$ARCH" 'linux-headers-*-common'); do
		PKGS+=("$p:all")
	done
	for p in $(depends "linux-headers-$KVER:$ARCH" 'linux-kbuild-*'); do
		PKGS+=("$p:amd64")
	done
else
	src=${CEN_APT_MIRROR%/}/pool/main/l/linux
	v=${VERSION//:/%3a}
	POOL=("$src/linux-headers-${KVER}_${v}_$ARCH.deb"
		"$src/linux-headers-$BASE-common_${v}_all.deb"
		"$src/linux-kbuild-${BASE}_${v}_amd64.deb")
fi

say "fetching $KVER ($VERSION, $SUITE) into $DIR"
(cd "$DEBS" && cen_apt get download "${PKGS[@]}" >"$DIR/download.log" 2>&1) ||
	{ cat "$DIR/download.log" >&2; die "apt-get download failed"; }
for url in "${POOL[@]}"; do
	/usr/lib/apt/apt-helper download-file "$url" "$DEBS/${url##*/}" >>"$DIR/download.log" 2>&1 ||
		die "$url: not in the archive (the lists no longer name these headers)"
done

rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"
for d in "$DEBS"/*.deb; do dpkg-deb -x "$d" "$ROOTFS"; done
rm -rf "$DEBS"

# Paths the packages give as seen from / : the unpacked copies instead.
KERNEL=$(find "$ROOTFS/boot" "$ROOTFS/usr/lib/modules/$KVER" "$ROOTFS/lib/modules/$KVER" \
	-maxdepth 1 \( -name "vmlinuz-$KVER" -o -name vmlinuz \) 2>/dev/null | head -n 1 || true)
[[ -n $KERNEL ]] || die "no vmlinuz in the packages of $KVER"
MODDIR=$ROOTFS/lib/modules/$KVER
[[ -d $MODDIR/kernel ]] || MODDIR=$ROOTFS/usr/lib/modules/$KVER
[[ -d $MODDIR/kernel ]] || die "no modules in the packages of $KVER"
KDIR=$ROOTFS/usr/src/linux-headers-$KVER
[[ -f $KDIR/Makefile ]] || die "no headers for $KVER"
# (include of -common; since 6.18 also KBUILD_OUTPUT=).
sed -i -E "s,(^|[ =])/usr/src/,\\1$ROOTFS/usr/src/,g" "$KDIR/Makefile"
[[ -d $KDIR/scripts/ && -d $KDIR/tools/ ]] || die "$KDIR/scripts: no kbuild unpacked"
# Debian 12's packages leave modules.dep to their postinst; Debian 13's
# ship it, with modules.builtin only in binary form, which a depmod here
# would not regenerate faithfully.
if [[ ! -f $MODDIR/modules.dep ]]; then
	depmod -b "${MODDIR%/lib/modules/"$KVER"}" "$KVER" || die "depmod $KVER failed"
fi

cat >"$DIR/env" <<ENV
KVER=$KVER
KERNEL=$KERNEL
MODDIR=$MODDIR
KDIR=$KDIR
ARCH=$ARCH
SUITE=$SUITE
SERIES=$SERIES
DEB_VERSION=$VERSION
ENV
touch "$DIR/.complete"
say "ready: $KVER ($(du -sh "$DIR" | cut -f1))"
echo "$DIR/env"
