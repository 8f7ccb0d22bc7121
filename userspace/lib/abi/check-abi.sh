#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# check-abi.sh BUILD_DIR [--update]
#
# Compare libcenalloc.so built in BUILD_DIR with the ABI this folder
# records: libcenalloc.symbols (the exported symbols with their versions,
# one per line: reviewable) and libcenalloc.abi.xz (abidw's description of
# every public type and function, xz-compressed: 1.5 MB of XML as text).
# Any difference fails: a compatible addition is still a change to record,
# with --update, in the same commit that adds it to a new version node of
# ../libcenalloc.map.  Needs abigail-tools (abidw, abidiff).
set -euo pipefail

build=$1 mode=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
headers=$here/../../include/cenalloc
lib=$(find "$build/userspace/lib" -maxdepth 1 -name 'libcenalloc.so.*.*' -print -quit)
[[ -n $lib ]] || { echo "check-abi: no libcenalloc.so.X.Y in $build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Defined dynamic symbols, demangled, with their version node.
symbols() {
	nm -D --defined-only --with-symbol-versions "$1" |
		awk '{ $1 = ""; $2 = ""; sub(/^ +/, ""); print }' |
		c++filt | LC_ALL=C sort
}

# Only what the public headers declare; no paths of this machine.
describe() {
	abidw --headers-dir "$headers" --drop-private-types --no-corpus-path \
		--no-comp-dir-path --no-show-locs --type-id-style hash \
		"$1" --out-file "$2"
}

if [[ $mode == --update ]]; then
	symbols "$lib" >"$here/libcenalloc.symbols"
	describe "$lib" "$work/abi"
	xz -9 -c "$work/abi" >"$here/libcenalloc.abi.xz"
	echo "check-abi: recorded $(grep -c @ "$here/libcenalloc.symbols") symbols of ${lib##*/}"
	exit 0
fi

symbols "$lib" >"$work/symbols"
if ! diff -u "$here/libcenalloc.symbols" "$work/symbols"; then
	echo "check-abi: the exported symbols changed (above: - recorded, + built)" >&2
	status=1
fi
xz -dc "$here/libcenalloc.abi.xz" >"$work/recorded.abi"
describe "$lib" "$work/built.abi"
if ! abidiff "$work/recorded.abi" "$work/built.abi"; then
	echo "check-abi: the ABI of ${lib##*/} differs from the record" >&2
	status=1
fi
if [[ ${status:-0} != 0 ]]; then
	echo "check-abi: if intended, record it: $0 $build --update" >&2
	exit 1
fi
echo "check-abi: ${lib##*/} exports the recorded $(grep -c @ "$work/symbols") symbols with the recorded types"
