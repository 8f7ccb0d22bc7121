#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# check-consumer.sh BUILD_DIR WORK_DIR CMAKE CXX [CC]
#
# Install the cenalloc build in BUILD_DIR into a temporary prefix under
# WORK_DIR (nothing outside it), then build and run main.cpp of this
# folder as an unrelated project would: once with CMake's
# find_package(cenalloc), once with `pkg-config --cflags --libs cenalloc`.
# Only the installed files are visible to the consumer.
set -euo pipefail

build=$1 work=$2 cmake=$3 cxx=$4 cc=${5:-cc}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=$work/prefix

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"

# The installed tree: headers, library, package files, the tool.
libdir=$(dirname "$(find "$prefix" -name 'libcenalloc.so' -print -quit)")
# The API reference needs doxygen (scripts/packages @build installs it).
for f in include/cenalloc/cenalloc.hpp include/cenalloc/cenalloc.h bin/cenalloc \
	share/doc/cenalloc/html/index.html; do
	[[ -e $prefix/$f ]] || { echo "not installed: $f" >&2; exit 1; }
done
[[ -e $libdir/pkgconfig/cenalloc.pc ]] || { echo "no cenalloc.pc" >&2; exit 1; }
[[ -e $libdir/cmake/cenalloc/cenallocConfig.cmake ]] ||
	{ echo "no cenallocConfig.cmake" >&2; exit 1; }

echo "== find_package(cenalloc)"
"$cmake" -S "$here" -B "$work/cmake-build" -DCMAKE_CXX_COMPILER="$cxx" \
	-DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake-configure.log"
"$cmake" --build "$work/cmake-build" >"$work/cmake-build.log"
"$work/cmake-build/consumer"

echo "== pkg-config --cflags --libs cenalloc"
export PKG_CONFIG_PATH=$libdir/pkgconfig
# Nothing from the source or build tree may leak in: every directory the
# flags name is inside the installed tree.
flags=$(pkg-config --cflags --libs cenalloc)
echo "flags: $flags"
real_prefix=$(realpath "$prefix")
for flag in $flags; do
	case $flag in
	-I* | -L*)
		dir=$(realpath "${flag:2}")
		[[ $dir == "$real_prefix"/* ]] ||
			{ echo "pkg-config names $dir, outside $real_prefix" >&2; exit 1; }
		;;
	esac
done
[[ $(pkg-config --modversion cenalloc) == 0.1.* ]] ||
	{ echo "unexpected version $(pkg-config --modversion cenalloc)" >&2; exit 1; }
# shellcheck disable=SC2086 # the flags are separate words
"$cxx" -std=c++20 -Wall -Wextra -Werror -o "$work/consumer-pc" \
	"$here/main.cpp" $flags
LD_LIBRARY_PATH=$libdir "$work/consumer-pc"

echo "== C and C++17 -fno-exceptions programs (pkg-config)"
"$here/build-consumers.sh" "$prefix" "$work/c-api" "$cc" "$cxx"
LD_LIBRARY_PATH=$libdir "$work/c-api/c-consumer"
LD_LIBRARY_PATH=$libdir "$work/c-api/noexcept-consumer"

echo "== the installed tool"
"$prefix/bin/cenalloc" solve "$prefix/share/cenalloc/profiles/test-vm-x86_64.json" >/dev/null
echo "== the schema beside the examples, not among them"
[[ -f $prefix/share/cenalloc/cenalloc-profile.schema.json ]] ||
	{ echo "share/cenalloc/cenalloc-profile.schema.json not installed" >&2; exit 1; }
[[ ! -e $prefix/share/cenalloc/profiles/cenalloc-profile.schema.json ]] ||
	{ echo "the schema is installed among the examples" >&2; exit 1; }
echo "consumer: ok"
