# SPDX-License-Identifier: GPL-2.0
# kselftest.mk - the kernel's own dma-heap selftest (included by Makefile):
# tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c of the newest Debian
# kernel source (solver-tests/kernels/source.sh), built static for the
# target architecture against that source's uapi headers (`make headers`,
# out of tree) when a list names build/kselftest/dmabuf-heap.  In the VM
# dmabuf-heap-cenalloc.sh runs it on cenalloc's heap, real or imitated.
# Nothing of it is kept in this repository.
CEN_KST_BUILD := $(CEN_ROOT)/build$(filter-out /amd64,/$(CEN_TARGET_ARCH))/kselftest
CEN_KST := $(CEN_KST_BUILD)/dmabuf-heap
CEN_KST_LISTED := $(shell sed -e 's/\#.*//' $(LISTS) | awk '$$1 ~ /kselftest\/dmabuf-heap$$/ {print $$1}')
CEN_KST_CC := $(if $(filter arm64,$(CEN_TARGET_ARCH)),aarch64-linux-gnu-gcc,gcc)
CEN_KST_ARCH := $(if $(filter arm64,$(CEN_TARGET_ARCH)),arm64,x86)

ifneq ($(CEN_KST_LISTED),)

all: $(CEN_KST)

# The source's version is in its path: a new Debian kernel rebuilds it.
$(CEN_KST): cen-kst-force
	@src=$$($(CEN_ROOT)/solver-tests/kernels/source.sh) || exit 1; \
	stamp=$(CEN_KST_BUILD)/source; \
	if [ ! -x $@ ] || [ "$$(cat $$stamp 2>/dev/null)" != "$$src" ]; then \
		mkdir -p $(CEN_KST_BUILD) && \
		$(MAKE) -s -C $$src O=$(CEN_KST_BUILD)/obj ARCH=$(CEN_KST_ARCH) headers \
			>$(CEN_KST_BUILD)/headers.log 2>&1 || \
			{ cat $(CEN_KST_BUILD)/headers.log >&2; exit 1; }; \
		$(CEN_KST_CC) -static -O2 -Wall -isystem $(CEN_KST_BUILD)/obj/usr/include \
			-I$$src/tools/testing/selftests -o $@ \
			$$src/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c && \
		echo "$$src" >$$stamp; \
	fi

.PHONY: cen-kst-force
cen-kst-force:

endif
