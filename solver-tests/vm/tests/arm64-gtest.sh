#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# arm64-gtest.sh DIR - GoogleTest for arm64 into DIR, for the cross build of
# the in-VM test programs (arm64.mk): Debian 12's own libgtest-dev:arm64
# (headers and the static libgtest.a), unpacked as DIR/usr/include and
# DIR/usr/lib/aarch64-linux-gnu.  It is downloaded, not installed: the
# private apt state of solver-tests/kernels/apt.sh leaves the host's dpkg
# (its architectures included) untouched.  DIR/.complete names the .deb.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
DIR=${1:?usage: arm64-gtest.sh DIR}

# shellcheck source=solver-tests/kernels/apt.sh
. "$ROOT/solver-tests/kernels/apt.sh"
cen_apt_init bookworm

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cen-arm64-gtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get's progress goes to a log, shown when it fails.
mkdir "$tmp/debs"
if ! (cd "$tmp/debs" && cen_apt get download libgtest-dev:arm64) >"$tmp/log" 2>&1 ||
	! deb=$(ls "$tmp"/debs/libgtest-dev_*_arm64.deb 2>/dev/null); then
	cat "$tmp/log" >&2
	echo "arm64-gtest: apt-get download libgtest-dev:arm64 failed" >&2
	exit 2
fi
# Unpacked next to DIR, then moved: an interrupted run leaves no half DIR.
rm -rf "$DIR" "$DIR.new"
mkdir -p "$(dirname "$DIR")"
dpkg-deb -x "$deb" "$DIR.new"
[[ -f $DIR.new/usr/lib/aarch64-linux-gnu/libgtest.a ]] ||
	{ echo "arm64-gtest: no libgtest.a in $(basename "$deb")" >&2; exit 2; }
basename "$deb" >"$DIR.new/.complete"
mv "$DIR.new" "$DIR"
