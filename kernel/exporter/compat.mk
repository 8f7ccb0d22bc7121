# SPDX-License-Identifier: GPL-2.0
# Kernel API probes for cenalloc_compat.h, included by the Kbuild files of
# cenalloc.ko and of the test importer.  A version number cannot tell these
# apart: stable and distribution kernels backport API changes (Debian's
# 6.12 has 7.x's device_set_driver_override(), its 6.18 does not).  Each
# probe asks the headers or the symbol list of the kernel being built for.
#
# $(call cen_probe,STRING,FILE,MACRO): -DMACRO when FILE (a path relative
# to the kernel tree) contains STRING.
cen_probe = $(if $(shell grep -qs -- '$(1)' $(2) && echo y),-D$(3))

CEN_COMPAT_FLAGS := \
	$(call cen_probe,invalidate_mappings,$(srctree)/include/linux/dma-buf.h,CENALLOC_HAVE_INVALIDATE_MAPPINGS) \
	$(call cen_probe,device_set_driver_override,$(srctree)/include/linux/device.h,CENALLOC_HAVE_DEVICE_SET_DRIVER_OVERRIDE)

# dma_heap_add() is exported (namespace DMA_BUF_HEAP) since 6.18, where
# the kernel has dma-buf heaps at all: the symbol list says both.
CEN_REAL_DMA_HEAP := $(if $(shell grep -qs -P '\tdma_heap_add\t' $(objtree)/Module.symvers && echo y),y)
