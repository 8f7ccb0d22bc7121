/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/**
 * @file cenalloc/export.h
 * @brief which declarations are libcenalloc's ABI.
 *
 * The library is built with hidden visibility and a version script
 * (lib/libcenalloc.map): only what is marked CENALLOC_API here is
 * exported, so internals can change without breaking programs linked
 * against libcenalloc.so.0.  Included by every public header; programs
 * have no use for it.
 */
#ifndef CENALLOC_EXPORT_H
#define CENALLOC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
/**
 * Marks a function or class as exported by libcenalloc.so (default
 * visibility); expands to nothing for other compilers.
 */
#define CENALLOC_API __attribute__((visibility("default")))
#else
#define CENALLOC_API
#endif

#endif /* CENALLOC_EXPORT_H */
