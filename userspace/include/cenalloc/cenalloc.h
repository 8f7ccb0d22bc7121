/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/**
 * @file cenalloc/cenalloc.h
 * @brief libcenalloc's C API: dma-bufs whose memory suits every device that
 * imports them.
 *
 * @code
 * struct cenalloc_device *dev;
 * struct cenalloc_mapping *map;
 * int fd;
 *
 * if (cenalloc_open(NULL, &dev) < 0 ||
 *     cenalloc_create(dev, 4 << 20, "frame", 0, &fd) < 0) {
 *         fprintf(stderr, "%s\n", cenalloc_last_error());
 *         return 1;
 * }
 * // hand fd to V4L2 (VIDIOC_QBUF) and DRM (PRIME) as usual
 * if (cenalloc_map(dev, fd, CENALLOC_ACCESS_WRITE, &map) == 0 &&
 *     cenalloc_mapping_begin(map, CENALLOC_ACCESS_WRITE) == 0) {
 *         memset(cenalloc_mapping_data(map), 0x80, cenalloc_mapping_size(map));
 *         cenalloc_mapping_end(map);
 * }
 * cenalloc_unmap(map);
 * close(fd);
 * cenalloc_close(dev);
 * @endcode
 *
 * Conventions:
 * - Every call that can fail returns 0 (or a count) on success and a
 *   negative errno on failure.  The failure in words, with the kernel's own
 *   reason when it gave one ("cannot back 8294400 bytes: ..."), is then
 *   cenalloc_last_error() of the calling thread.
 * - Objects are opaque and owned by the caller from the call that returns
 *   them until the matching free/close/unmap call; NULL is accepted there.
 *   Strings returned by accessors belong to their object.
 * - Buffers are plain dma-buf file descriptors, owned by the caller
 *   (close(2) them).  A mapping holds its own duplicate of the fd.
 * - Thread safety: different objects may be used from different threads
 *   at once; one cenalloc_device may be shared by threads for every call
 *   except cenalloc_close().  One mapping or info object must not be used by
 *   two threads at once.
 *
 * Link with -lcenalloc (pkg-config cenalloc, or CMake's
 * find_package(cenalloc) and cenalloc::cenalloc).  The C++ API
 * (<cenalloc/cenalloc.hpp>) is the same library seen through RAII types.
 */
#ifndef CENALLOC_CENALLOC_H
#define CENALLOC_CENALLOC_H

#include <stddef.h> /* NOLINT(modernize-deprecated-headers): a C header */
#include <stdint.h> /* NOLINT(modernize-deprecated-headers): a C header */

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup c_api C API
 * @{
 */

/** /dev/cenalloc, opened. */
struct cenalloc_device;
/** DMA constraints: seven fields, each unset ("any") or set. */
struct cenalloc_constraint_set;
/** What a buffer is meant for: creation hints. */
struct cenalloc_hints;
/** A snapshot of one buffer's state (INFO). */
struct cenalloc_buffer_info;
/** A CPU mapping of a whole buffer. */
struct cenalloc_mapping;

/** The constraint fields, numbered as the kernel numbers them. */
enum cenalloc_field {
	CENALLOC_FIELD_ADDR_LIMIT = 0,	 /**< highest byte address reached */
	CENALLOC_FIELD_MAX_SEGMENTS = 1, /**< 1 = physically contiguous */
	CENALLOC_FIELD_MAX_SEG_SIZE = 2, /**< longest segment, bytes */
	CENALLOC_FIELD_SEG_BOUNDARY = 3, /**< segment boundary mask */
	CENALLOC_FIELD_ALIGN = 4,	 /**< alignment of every segment */
	CENALLOC_FIELD_IOMMU = 5,	 /**< 1: behind an IOMMU */
	CENALLOC_FIELD_COHERENCY = 6,	 /**< a CENALLOC_COHERENCY_ value */
	CENALLOC_FIELD_COUNT = 7,	 /**< the number of fields, not a field */
};

/**
 * Where a constraint came from, lowest priority first: a higher source
 * overrides a lower one field by field.
 */
enum cenalloc_source {
	CENALLOC_SOURCE_NONE = 0,	   /**< unconstrained, or set by the caller */
	CENALLOC_SOURCE_DEFAULT_POLICY = 1, /**< the kernel's safe default */
	CENALLOC_SOURCE_HINT = 2,	   /**< a creation hint */
	CENALLOC_SOURCE_DEVICE = 3,	   /**< DMA masks, dma_parms, IOMMU */
	CENALLOC_SOURCE_PROFILE = 4,	   /**< a platform profile */
	CENALLOC_SOURCE_DRIVER = 5,	   /**< the driver, in the kernel */
};

/** Values of CENALLOC_FIELD_COHERENCY: the CPU caching a device needs. */
enum cenalloc_coherency {
	CENALLOC_COHERENCY_ANY = 0,	 /**< either works */
	CENALLOC_COHERENCY_CACHED = 1,	 /**< the device snoops CPU caches */
	CENALLOC_COHERENCY_UNCACHED = 2, /**< it does not: write-combined */
};

/**
 * What the CPU does with a mapping: its protection (cenalloc_map()) and,
 * within it, one access (cenalloc_mapping_begin()).
 */
enum cenalloc_access {
	CENALLOC_ACCESS_READ = 0,	/**< the CPU reads what devices wrote */
	CENALLOC_ACCESS_WRITE = 1,	/**< the CPU writes for devices */
	CENALLOC_ACCESS_READ_WRITE = 2, /**< both */
};

/** @name cenalloc_create() flags (not the uapi's CENALLOC_CREATE_*) */
/** @{ */
#define CENALLOC_BUFFER_DYNAMIC (1U << 0) /**< move_notify importers */
#define CENALLOC_BUFFER_READ_ONLY (1U << 1)	 /**< an O_RDONLY dma-buf fd */
/** @} */

/** @name cenalloc_info_member_flags() bits */
/** @{ */
#define CENALLOC_MEMBER_MAPPED (1U << 0)  /**< has a DMA mapping now */
#define CENALLOC_MEMBER_DYNAMIC (1U << 1) /**< a dynamic importer */
#define CENALLOC_MEMBER_HINT (1U << 2)	  /**< a creation hint */
/** @} */

/**
 * @brief The failure of this thread's last failed call, in words.
 *
 * "create buffer 'frame': cannot back 8294400 bytes: ... (Cannot allocate
 * memory)".  Valid until the thread's next failing call; "" before any.
 */
CENALLOC_API const char *cenalloc_last_error(void);

/** @name Device */
/** @{ */
/**
 * @brief Open cenalloc.
 * @param path the node, or NULL for "/dev/cenalloc".
 * @param out the device, to be closed with cenalloc_close().
 * @return 0; -ENOENT when the module is not loaded, -ENOTTY when @p path is
 *	   not a cenalloc device, -EACCES without permission.
 */
CENALLOC_API int cenalloc_open(const char *path, struct cenalloc_device **out);
/** @brief Close a device (NULL is ignored); buffers stay valid. */
CENALLOC_API void cenalloc_close(struct cenalloc_device *dev);
/** @brief The device's file descriptor (owned by @p dev); -1 for NULL. */
CENALLOC_API int cenalloc_device_fd(const struct cenalloc_device *dev);
/**
 * @brief What the running module offers (QUERY).
 * @param dev an open device.
 * @param abi_version out, may be NULL.
 * @param features out: CENALLOC_FEAT_* bits of <linux/cenalloc.h>, may be
 *	  NULL.
 * @param page_size out: the granule of every allocation, may be NULL.
 * @return the number of memory backends, or a negative errno.
 */
CENALLOC_API int cenalloc_query(struct cenalloc_device *dev,
				uint32_t *abi_version, uint64_t *features,
				uint32_t *page_size);
/** @} */

/** @name Constraints */
/** @{ */
/** @brief An empty set (every field "any"); NULL when out of memory. */
CENALLOC_API struct cenalloc_constraint_set *cenalloc_constraints_new(void);
/** @brief Free a set made by cenalloc_constraints_new() (NULL ignored). */
CENALLOC_API void cenalloc_constraints_free(struct cenalloc_constraint_set *c);
/**
 * @brief Set @p field to @p value; -EINVAL for an unknown field.  The
 * value is checked when the set is used (hint, profile), not here.
 */
CENALLOC_API int cenalloc_constraints_set(struct cenalloc_constraint_set *c,
					  enum cenalloc_field field,
					  uint64_t value);
/** @brief Make @p field "any" again; -EINVAL for an unknown field. */
CENALLOC_API int cenalloc_constraints_unset(struct cenalloc_constraint_set *c,
					    enum cenalloc_field field);
/**
 * @brief Read a field.
 * @param c the set.
 * @param field which field.
 * @param value out, set when the field is set (may be NULL).
 * @return 1 when set, 0 when "any", -EINVAL for an unknown field.
 */
CENALLOC_API int cenalloc_constraints_get(const struct cenalloc_constraint_set *c,
					  enum cenalloc_field field,
					  uint64_t *value);
/** @brief Where a field's value came from (sets read back from INFO). */
CENALLOC_API enum cenalloc_source
cenalloc_constraints_source(const struct cenalloc_constraint_set *c,
			    enum cenalloc_field field);
/**
 * @brief For a buffer's merged set: the member that imposed @p field.
 * @return its index for cenalloc_info_member_*(), or -1 (no member did,
 *	   or not a merged set).
 */
CENALLOC_API int cenalloc_constraints_origin(const struct cenalloc_constraint_set *c,
					     enum cenalloc_field field);
/**
 * @brief The value as people read it ("0xffffffff", "64 KiB", "any"), as
 * snprintf(3) writes it into @p buf.
 * @param c the set.
 * @param field which field.
 * @param buf receives the text, cut to fit and NUL-terminated; may be
 *	  NULL when @p len is 0 (to ask for the length).
 * @param len bytes at @p buf.
 * @return the length of the whole text (excluding the NUL), or -EINVAL.
 */
CENALLOC_API int cenalloc_constraints_text(const struct cenalloc_constraint_set *c,
					   enum cenalloc_field field, char *buf,
					   size_t len);
/** @brief "address limit", "max segments"...; NULL for an unknown field. */
CENALLOC_API const char *cenalloc_field_name(enum cenalloc_field field);
/** @brief "device", "profile", "default policy"...; NULL if unknown. */
CENALLOC_API const char *cenalloc_source_name(enum cenalloc_source source);
/** @} */

/** @name Buffers */
/** @{ */
/** @brief No hints yet; NULL when out of memory. */
CENALLOC_API struct cenalloc_hints *cenalloc_hints_new(void);
/** @brief Free hints (NULL ignored). */
CENALLOC_API void cenalloc_hints_free(struct cenalloc_hints *hints);
/**
 * @brief Say the buffer is meant for a device.
 * @param hints from cenalloc_hints_new().
 * @param device "platform:vivid.0", a bare device name, or NULL.
 * @param c constraints of its own (copied), or NULL; one of the two.
 * @return 0; -EINVAL for a name too long or neither given, -E2BIG beyond
 *	   16 hints.
 */
CENALLOC_API int cenalloc_hints_add(struct cenalloc_hints *hints,
				    const char *device,
				    const struct cenalloc_constraint_set *c);
/**
 * @brief Create a buffer with no memory behind it yet.
 * @param dev an open device.
 * @param size bytes, rounded up to pages; 0 is -EINVAL.
 * @param name shown in debugfs and fdinfo (at most 31 bytes), or NULL.
 * @param hints devices it is meant for (copied), or NULL.
 * @param flags CENALLOC_BUFFER_* bits; others are -EINVAL.
 * @param fd out: the dma-buf, owned by the caller (close(2) it); -1 on
 *	  failure.
 * @return 0 or a negative errno, with the reason in cenalloc_last_error():
 *	   -ENODEV when a hint names a device that is neither present nor
 *	   in a profile, -EINVAL when the hints cannot be satisfied together,
 *	   -E2BIG beyond the machine's memory or the module's size_limit_mb,
 *	   -EOPNOTSUPP for CENALLOC_BUFFER_DYNAMIC on a kernel without
 *	   CONFIG_DMABUF_MOVE_NOTIFY.
 */
CENALLOC_API int cenalloc_create_hinted(struct cenalloc_device *dev,
					uint64_t size, const char *name,
					const struct cenalloc_hints *hints,
					uint32_t flags, int *fd);
/** @brief cenalloc_create_hinted() without hints. */
CENALLOC_API int cenalloc_create(struct cenalloc_device *dev, uint64_t size,
				 const char *name, uint32_t flags, int *fd);
/** @} */

/** @name Buffer state */
/** @{ */
/**
 * @brief INFO on a cenalloc dma-buf.
 * @param dev an open device.
 * @param fd the dma-buf (not taken).
 * @param out to be freed with cenalloc_info_free().
 * @return 0; -EINVAL when @p fd is not a cenalloc dma-buf.
 */
CENALLOC_API int cenalloc_info_get(struct cenalloc_device *dev, int fd,
				   struct cenalloc_buffer_info **out);
/**
 * @brief Free an info (NULL ignored).  The accessors below read this
 * snapshot: take a new one to see later changes.
 */
CENALLOC_API void cenalloc_info_free(struct cenalloc_buffer_info *info);
/** @brief The buffer's id, system-wide (debugfs, fdinfo). */
CENALLOC_API uint64_t cenalloc_info_id(const struct cenalloc_buffer_info *info);
/** @brief Its name. */
CENALLOC_API const char *cenalloc_info_name(const struct cenalloc_buffer_info *info);
/** @brief Its size, whole pages. */
CENALLOC_API uint64_t cenalloc_info_size(const struct cenalloc_buffer_info *info);
/** @brief The backend behind it ("system", "cma"...), "" if no memory yet. */
CENALLOC_API const char *cenalloc_info_backend(const struct cenalloc_buffer_info *info);
/** @brief Physically contiguous runs of its memory (0 when none). */
CENALLOC_API uint32_t cenalloc_info_runs(const struct cenalloc_buffer_info *info);
/** @brief The kernel's last decision and why, in words. */
CENALLOC_API const char *cenalloc_info_reason(const struct cenalloc_buffer_info *info);
/** @brief 0, or the negative errno of the last decision. */
CENALLOC_API int cenalloc_info_error(const struct cenalloc_buffer_info *info);
/** @brief Times the memory moved for a late member. */
CENALLOC_API uint32_t cenalloc_info_migrations(const struct cenalloc_buffer_info *info);
/** @brief The merged constraints of every member (owned by @p info). */
CENALLOC_API const struct cenalloc_constraint_set *
cenalloc_info_merged(const struct cenalloc_buffer_info *info);
/**
 * @brief Members: attached devices and creation hints; the accessors
 * below take an index below this count.
 */
CENALLOC_API size_t cenalloc_info_member_count(const struct cenalloc_buffer_info *info);
/** @brief A member's device name; NULL past the end. */
CENALLOC_API const char *cenalloc_info_member_device(const struct cenalloc_buffer_info *info,
						     size_t i);
/** @brief Its bound driver ("" if none); NULL past the end. */
CENALLOC_API const char *cenalloc_info_member_driver(const struct cenalloc_buffer_info *info,
						     size_t i);
/** @brief CENALLOC_MEMBER_* bits; 0 past the end. */
CENALLOC_API uint32_t cenalloc_info_member_flags(const struct cenalloc_buffer_info *info,
						 size_t i);
/** @brief Its resolved constraints with sources; NULL past the end. */
CENALLOC_API const struct cenalloc_constraint_set *
cenalloc_info_member_constraints(const struct cenalloc_buffer_info *info, size_t i);
/** @} */

/** @name CPU access */
/** @{ */
/**
 * @brief mmap a whole buffer; nothing is allocated until it is touched.
 * @param dev the device that checks @p fd and explains failures.
 * @param fd a cenalloc dma-buf (duplicated; the caller keeps its fd).
 * @param access the protection; every cenalloc_mapping_begin() must stay
 *	  within it.
 * @param out to be released with cenalloc_unmap().
 * @return 0; -EBADF when @p fd is not open, -EINVAL when it is not a
 *	   cenalloc dma-buf, -EACCES when @p access writes to a read-only
 *	   buffer.
 */
CENALLOC_API int cenalloc_map(struct cenalloc_device *dev, int fd,
			      enum cenalloc_access access,
			      struct cenalloc_mapping **out);
/** @brief End any access, unmap, drop the fd (NULL ignored). */
CENALLOC_API void cenalloc_unmap(struct cenalloc_mapping *map);
/**
 * @brief The mapped bytes, valid until cenalloc_unmap(); touch them
 * between cenalloc_mapping_begin() and cenalloc_mapping_end().
 */
CENALLOC_API void *cenalloc_mapping_data(const struct cenalloc_mapping *map);
/** @brief Bytes mapped. */
CENALLOC_API size_t cenalloc_mapping_size(const struct cenalloc_mapping *map);
/**
 * @brief Begin CPU access (DMA_BUF_IOCTL_SYNC start).  The first access is
 * where a buffer gets memory: a failure then carries the kernel's reason.
 * @return 0; -EBUSY when an access is already open; -EINVAL for an
 *	   access the mapping does not allow.
 */
CENALLOC_API int cenalloc_mapping_begin(struct cenalloc_mapping *map,
					enum cenalloc_access access);
/** @brief End CPU access (cache maintenance for the devices); 0 if none. */
CENALLOC_API int cenalloc_mapping_end(struct cenalloc_mapping *map);
/** @} */

/** @name Platform profiles (CAP_SYS_ADMIN) */
/** @{ */
/**
 * @brief Constraints for the devices a match selects, applied when such a
 * device next attaches.  NULL keys match anything; one must be given.
 *
 * A profile with the same match replaces the old one; the newest
 * matching profile wins.
 * @param dev an open device.
 * @param device dev_name() ("vivid.0"), or NULL.
 * @param driver the bound driver ("vivid"), or NULL.
 * @param bus "platform", "pci"..., or NULL.
 * @param c the constraints (copied); at least one field set.
 * @return 0; -EPERM without CAP_SYS_ADMIN, -EINVAL for no key, a key too
 *	   long or constraints the kernel refuses.
 */
CENALLOC_API int cenalloc_profile_set(struct cenalloc_device *dev,
				      const char *device, const char *driver,
				      const char *bus,
				      const struct cenalloc_constraint_set *c);
/**
 * @brief Remove the profile with exactly this match (same NULL keys as
 * cenalloc_profile_set()); -ENOENT if none, -EPERM without CAP_SYS_ADMIN.
 */
CENALLOC_API int cenalloc_profile_clear(struct cenalloc_device *dev,
					const char *device, const char *driver,
					const char *bus);
/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CENALLOC_CENALLOC_H */
