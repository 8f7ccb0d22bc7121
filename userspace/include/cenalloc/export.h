/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cenalloc/export.h - which declarations are libcenalloc's ABI.
 *
 * The library is built with hidden visibility and a version script
 * (lib/libcenalloc.map): only what is marked CENALLOC_API here is
 * exported, so internals can change without breaking programs linked
 * against libcenalloc.so.0.
 */
#ifndef CENALLOC_EXPORT_H
#define CENALLOC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CENALLOC_API __attribute__((visibility("default")))
#else
#define CENALLOC_API
#endif

#endif /* CENALLOC_EXPORT_H */
