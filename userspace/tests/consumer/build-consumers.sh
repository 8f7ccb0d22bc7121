#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-consumers.sh PREFIX OUT CC CXX [--static]
#
# Build c_consumer.c (C11) and noexcept_consumer.cpp (C++17,
# -fno-exceptions) of this folder against the libcenalloc installed in
# PREFIX, through its pkg-config file only, as OUT/c-consumer and
# OUT/noexcept-consumer.  --static links libcenalloc.a and the C library
# statically (for the test VM, which has no shared libraries).
set -euo pipefail

prefix=$1 out=$2 cc=$3 cxx=$4 mode=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pc=$(dirname "$(find "$prefix" -name cenalloc.pc -print -quit)")
[[ -f $pc/cenalloc.pc ]] || { echo "no cenalloc.pc under $prefix" >&2; exit 1; }
export PKG_CONFIG_PATH=$pc PKG_CONFIG_LIBDIR=$pc

static=() pcargs=()
if [[ $mode == --static ]]; then
	static=(-static)
	pcargs=(--static)
fi
read -ra cflags <<<"$(pkg-config --cflags cenalloc)"
read -ra libs <<<"$(pkg-config "${pcargs[@]}" --libs cenalloc)"
mkdir -p "$out"
# C: strict C11, as a C project compiles; the library's C++ runtime
# comes from the pkg-config file (Libs.private) when linking statically.
"$cc" -std=c11 -Wall -Wextra -Werror -pedantic "${cflags[@]}" \
	-o "$out/c-consumer" "$here/c_consumer.c" "${static[@]}" "${libs[@]}"
# C++17 without exceptions: libcamera's and Android's settings.
"$cxx" -std=c++17 -fno-exceptions -Wall -Wextra -Werror "${cflags[@]}" \
	-o "$out/noexcept-consumer" "$here/noexcept_consumer.cpp" \
	"${static[@]}" "${libs[@]}"
