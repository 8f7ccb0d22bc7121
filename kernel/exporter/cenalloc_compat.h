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

#endif /* CENALLOC_COMPAT_H */
