# CMake toolchain file: a cross build for arm64 (aarch64) with Debian 12's
# cross compilers (g++-aarch64-linux-gnu; the arm64 C library, static
# libc.a included, from libc6-dev-arm64-cross under /usr/aarch64-linux-gnu).
#
#   cmake -S . -B build/arm64 \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCEN_TESTS=OFF -DCEN_BENCH=OFF
#
# solver-tests/vm/tests (CEN_TARGET_ARCH=arm64) configures build/arm64 with
# it, for the static cenalloc tool and libraries of the arm64 test VM.  The
# host has no arm64 GoogleTest or Google Benchmark to link, hence the tests
# and the benchmark are off.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Where find_*() looks: libraries only among the arm64 ones (the host's
# would not link); programs only on the host (they run at build time);
# headers and CMake packages in the arm64 root first, then on the host, for
# the architecture-independent header-only ones: nlohmann_json's package is
# the host's /usr/share/cmake/nlohmann_json (nlohmann-json3-dev), and its
# headers in /usr/include, which Debian's cross compilers search last.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
