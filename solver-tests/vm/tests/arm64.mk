# SPDX-License-Identifier: GPL-2.0
# arm64.mk - CEN_TARGET_ARCH=arm64 (included by Makefile): the programs
# cross-compiled for the arm64 test VM, static like the amd64 ones.
#
# The compiler is Debian's g++-aarch64-linux-gnu, with the static C
# library of libc6-dev-arm64-cross (scripts/packages: @arm64).  GoogleTest
# is Debian's libgtest-dev:arm64, downloaded and unpacked, not installed,
# into $(CEN_ARM64_SYSROOT) by arm64-gtest.sh once; its headers come
# before the host's /usr/include, which the cross compiler searches last
# (nlohmann/json, architecture-independent, is the host's).  The userspace
# libraries and tool come from a CMake cross build in build/arm64
# (userspace.mk, cmake/aarch64-linux-gnu.cmake).
ifeq ($(CEN_TARGET_ARCH),arm64)

CXX := aarch64-linux-gnu-g++
ifeq ($(shell command -v $(CXX)),)
$(error $(CXX) missing: scripts/need-packages @arm64)
endif

CEN_ARM64_SYSROOT ?= $(CEN_ROOT)/build/arm64/sysroot
CPPFLAGS += -isystem $(CEN_ARM64_SYSROOT)/usr/include
LDFLAGS += -L$(CEN_ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
# No arm64 GoogleTest or Google Benchmark for CMake: only the libraries and
# the tool are built there.
CEN_US_CMAKE_ARGS += -DCMAKE_TOOLCHAIN_FILE=$(CEN_ROOT)/cmake/aarch64-linux-gnu.cmake \
	-DCEN_TESTS=OFF -DCEN_BENCH=OFF

# Every object includes gtest.h.
$(patsubst %.cpp,$(OBJ)/%.o,$(wildcard *.cpp */*.cpp)): | $(CEN_ARM64_SYSROOT)/.complete
$(CEN_ARM64_SYSROOT)/.complete:
	$(CURDIR)/arm64-gtest.sh $(CEN_ARM64_SYSROOT)

endif
