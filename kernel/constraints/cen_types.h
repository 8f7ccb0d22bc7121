/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * the one shim between the constraint code and its host.
 *
 * kernel/constraints/ is compiled twice from the same files: into
 * cenalloc.ko and into the userspace test harness and tools.  This header
 * is the only place that knows which of the two it is.
 */
#ifndef CEN_TYPES_H
#define CEN_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/export.h>
/* Drivers build declarations with these without a copy of the code. */
#define CEN_EXPORT(sym)	EXPORT_SYMBOL_GPL(sym)
#else
#define CEN_EXPORT(sym)	extern int cen_export_##sym
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif
#endif

/* 64-bit division that also links on 32-bit kernels. */
static inline u64 cen_div(u64 a, u64 b)
{
#ifdef __KERNEL__
	return div64_u64(a, b);
#else
	return a / b;
#endif
}

/* Power-of-two helpers that behave the same in both worlds. */
static inline bool cen_is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

/* Smallest power of two >= @v, or 0 when it does not fit in 64 bits. */
static inline u64 cen_roundup_pow2(u64 v)
{
	u64 p = 1;

	while (p && p < v)
		p <<= 1;
	return p;
}

#endif /* CEN_TYPES_H */
