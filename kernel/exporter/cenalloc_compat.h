/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that papers over configuration differences, so the
 * other files need no #ifdef.
 */
#ifndef CENALLOC_COMPAT_H
#define CENALLOC_COMPAT_H

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
