#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# busybox.sh ARCH - print the path of a static busybox for ARCH (amd64,
# arm64), for the test VMs' initramfs: the host's own for amd64 (package
# busybox-static), else Debian 12's busybox-static:ARCH, downloaded and
# unpacked once into $CEN_CACHE/busybox-ARCH (apt.sh; not installed).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ARCH=${1:?usage: busybox.sh amd64|arm64}
if [[ $ARCH == amd64 ]]; then
	command -v busybox
	exit
fi
# shellcheck source=apt.sh
. "$HERE/apt.sh"
DIR=$CEN_CACHE/busybox-$ARCH
if [[ ! -x $DIR/bin/busybox ]]; then
	cen_apt_init bookworm
	rm -rf "$DIR.new" && mkdir -p "$DIR.new/debs"
	(cd "$DIR.new/debs" && cen_apt get download "busybox-static:$ARCH") >"$DIR.log" 2>&1 ||
		{ cat "$DIR.log" >&2; echo "busybox.sh: cannot fetch busybox-static:$ARCH" >&2; exit 2; }
	dpkg-deb -x "$DIR.new"/debs/busybox-static_*.deb "$DIR.new"
	rm -rf "$DIR.new/debs" "$DIR"
	mv "$DIR.new" "$DIR"
fi
echo "$DIR/bin/busybox"
