/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that papers over configuration differences, so the
 * other files need no #ifdef.
 */
#ifndef CENALLOC_COMPAT_H
#define CENALLOC_COMPAT_H

#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/version.h>

/*
 * A trace event's string field from the argument of the same name:
 * __assign_str() took the source as well before Linux 6.10.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define cenalloc_assign_str(field, src)	__assign_str(field, src)
#else
#define cenalloc_assign_str(field, src)	__assign_str(field)
#endif

/*
 * The largest order the buddy allocator hands out: MAX_PAGE_ORDER since
 * 6.8; MAX_ORDER before, inclusive since 6.4 and one past it until then.
 */
#if defined(MAX_PAGE_ORDER)
#define CENALLOC_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define CENALLOC_MAX_ORDER	MAX_ORDER
#else
#define CENALLOC_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Fault injection (cenalloc_should_fail()): the kernel's fault attributes
 * where it has them.  Before 6.9 fault-inject.h declares nothing without
 * CONFIG_FAULT_INJECTION, so the stand-ins are here.
 */
#ifdef CONFIG_FAULT_INJECTION
#define CENALLOC_FAULT_ATTR(name)	DECLARE_FAULT_ATTR(name)
#define cenalloc_fault_fires(attr)		should_fail(attr, 1)
#else
#define CENALLOC_FAULT_ATTR(name)	struct { } name
#define cenalloc_fault_fires(attr)		((void)(attr), false)
#endif
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
#define cenalloc_fault_debugfs(name, dir, attr) \
	fault_create_debugfs_attr(name, dir, attr)
#else
#define cenalloc_fault_debugfs(name, dir, attr)	((void)(attr))
#endif

/*
 * Where PTEs of RAM are written directly (cenalloc_insert_pages()): on
 * x86, whose PAT makes vmf_insert_pfn() look a memory type up per page
 * (write-back for RAM, which the VMA's protection already says).  i915
 * fills user PTEs the same way.  Elsewhere vmf_insert_pfn() costs no such
 * lookup, and arm64's set_pte_at() is not for modules (with DEBUG_VM it
 * calls an unexported check).
 */
#define CENALLOC_FILL_RAM_PTES	IS_ENABLED(CONFIG_X86)

/* vm_flags are set through vm_flags_set() since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define cenalloc_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define cenalloc_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/* bus_find_device() takes a const bus since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define cenalloc_bus(bus)	(bus)
#else
#define cenalloc_bus(bus)	((struct bus_type *)(bus))
#endif

#ifdef CONFIG_CMA_ALIGNMENT
#define CENALLOC_CMA_ALIGN_ORDER	CONFIG_CMA_ALIGNMENT
#else
#define CENALLOC_CMA_ALIGN_ORDER	8
#endif

/*
 * Where devices may be non-coherent (arm64, ...), the DMA API's CPU cache
 * maintenance reaches memory through the kernel's linear map, which
 * reserved memory outside System RAM (a carveout) is not part of.  Only
 * where DMA is always coherent (x86) can a carveout serve every device.
 */
#define CENALLOC_CARVEOUT_SUPPORTED \
	(!IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE))

/*
 * Dynamic importers: since 7.x the core tells them through
 * dma_buf_invalidate_mappings() and their invalidate_mappings callback,
 * always; before, through dma_buf_move_notify() and move_notify, and only
 * with CONFIG_DMABUF_MOVE_NOTIFY (otherwise every importer pins).  An
 * attachment is dynamic when its importer gave callbacks.
 * CENALLOC_HAVE_INVALIDATE_MAPPINGS comes from compat.mk.
 */
#ifdef CENALLOC_HAVE_INVALIDATE_MAPPINGS
#define CENALLOC_MOVE_NOTIFY		true
#define cenalloc_invalidate_mappings(dmabuf) \
	dma_buf_invalidate_mappings(dmabuf)
#define CENALLOC_INVALIDATE_OP		invalidate_mappings
#else
#define CENALLOC_MOVE_NOTIFY		IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY)
#define cenalloc_invalidate_mappings(dmabuf)	dma_buf_move_notify(dmabuf)
#define CENALLOC_INVALIDATE_OP		move_notify
#endif
#define cenalloc_attach_is_dynamic(attach)	(!!(attach)->importer_ops)

/* MODULE_IMPORT_NS() takes a string literal since 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define CENALLOC_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#else
#define CENALLOC_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/*
 * The n-th page of a contiguous allocation: nth_page() is gone by 7.3,
 * whose allocators never hand out a range with a gap in its memmap.
 */
#ifdef nth_page
#define cenalloc_nth_page(page, n)	nth_page(page, n)
#else
#define cenalloc_nth_page(page, n)	((page) + (n))
#endif

/*
 * Who takes the reservation lock around map, unmap, vmap and vunmap: the
 * dma-buf core (its callers) since 6.2.  Before, it held it only around a
 * dynamic exporter's map and unmap, so the exporter takes it itself for
 * the others (cenalloc_buffer.c).
 */
#define CENALLOC_CORE_HOLDS_RESV \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0))

/*
 * For the test importer (solver-tests/vm/importer), which builds against
 * the same kernels.  dma_buf_vmap_unlocked() arrived in 6.2; before it,
 * dma_buf_vmap() took the dma-buf's own lock.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define cenalloc_vmap_unlocked(dmabuf, map)	dma_buf_vmap_unlocked(dmabuf, map)
#define cenalloc_vunmap_unlocked(dmabuf, map)	dma_buf_vunmap_unlocked(dmabuf, map)
#else
#define cenalloc_vmap_unlocked(dmabuf, map)	dma_buf_vmap(dmabuf, map)
#define cenalloc_vunmap_unlocked(dmabuf, map)	dma_buf_vunmap(dmabuf, map)
#endif

/*
 * Mapping outside the reservation lock: before 6.2 importers called
 * dma_buf_map_attachment() without it (vb2, DRM PRIME), and a static
 * exporter's map then ran unlocked (CENALLOC_CORE_HOLDS_RESV).  Debian's
 * 6.1 also has the _unlocked() calls of 6.2, which take the lock around
 * the exporter: the test importer maps as 6.1's own importers do.
 */
#if CENALLOC_CORE_HOLDS_RESV
#define cenalloc_map_attachment_unlocked(attach, dir) \
	dma_buf_map_attachment_unlocked(attach, dir)
#define cenalloc_unmap_attachment_unlocked(attach, sgt, dir) \
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir)
#else
#define cenalloc_map_attachment_unlocked(attach, dir) \
	dma_buf_map_attachment(attach, dir)
#define cenalloc_unmap_attachment_unlocked(attach, sgt, dir) \
	dma_buf_unmap_attachment(attach, sgt, dir)
#endif

/*
 * A platform device's driver override: in struct device, through
 * device_set_driver_override(), since 7.x (and in backports: compat.mk
 * probes); in struct platform_device before.
 */
static inline int cenalloc_set_driver_override(struct platform_device *pdev,
					       const char *name)
{
#ifdef CENALLOC_HAVE_DEVICE_SET_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name);
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override, name,
				   strlen(name));
#endif
}

#endif /* CENALLOC_COMPAT_H */
