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

#endif /* CENALLOC_COMPAT_H */
