/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cenalloc - dma-buf exporter with delayed, constraint-solved allocation.
 *
 * /dev/cenalloc takes the ioctls below.  Every argument struct starts with
 * @argsz, the size of the struct as the caller knows it, and @flags.  The
 * ioctl number encodes the same size; a mismatch between the two is
 * -EINVAL.  As with the dma-heap ABI an older (smaller) struct is extended
 * with zeroes and a newer (larger) one is accepted when the bytes this
 * kernel does not know are zero (-E2BIG otherwise).  Reserved fields must
 * be zero and unknown flags are -EINVAL.
 *
 * Arrays passed by pointer carry their element size (*_entry_size) so
 * elements can grow the same way.  Backends are named, never numbered.
 *
 * The nodes are root's (0600) unless a udev rule says otherwise
 * (docs/security.md).  A buffer's fd is a dma-buf: mmap() it MAP_SHARED
 * (a private mapping is -EINVAL).  Memory is allocated at the first use
 * (map, fault, CPU access, vmap); that use fails with -ENOMEM, or with
 * -EDQUOT when contiguous or low memory would pass the creator's
 * RLIMIT_MEMLOCK (none with CAP_IPC_LOCK), and INFO says why.  Reasons
 * name buffer offsets, never physical addresses.
 */
#ifndef _UAPI_LINUX_CENALLOC_H
#define _UAPI_LINUX_CENALLOC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CENALLOC_ABI_VERSION		1

#define CENALLOC_NAME_LEN		32
#define CENALLOC_DEVNAME_LEN		64
#define CENALLOC_REASON_LEN		160	/* cenalloc_info.last_reason */
#define CENALLOC_REASON_MAX		256	/* every reason field since */

/* Features reported by QUERY. */
#define CENALLOC_FEAT_HINTS		(1ULL << 0)
#define CENALLOC_FEAT_PROFILES		(1ULL << 1)
#define CENALLOC_FEAT_DMA_HEAP		(1ULL << 2)	/* /dev/dma_heap/cenalloc */
#define CENALLOC_FEAT_DRIVER_API	(1ULL << 3)
#define CENALLOC_FEAT_MIGRATION		(1ULL << 4)
#define CENALLOC_FEAT_MOVE_NOTIFY	(1ULL << 5)

/* Fields of struct cenalloc_constraints, for @valid. */
#define CENALLOC_C_ADDR_LIMIT		(1U << 0)
#define CENALLOC_C_MAX_SEGMENTS		(1U << 1)
#define CENALLOC_C_MAX_SEG_SIZE		(1U << 2)
#define CENALLOC_C_SEG_BOUNDARY		(1U << 3)
#define CENALLOC_C_ALIGN		(1U << 4)
#define CENALLOC_C_IOMMU		(1U << 5)
#define CENALLOC_C_COHERENCY		(1U << 6)
#define CENALLOC_C_ALL			0x7fU
#define CENALLOC_C_NR_FIELDS		7

/* Values of @src[] (where a value came from). */
#define CENALLOC_SRC_NONE		0
#define CENALLOC_SRC_DEFAULT		1
#define CENALLOC_SRC_HINT		2
#define CENALLOC_SRC_DEVICE		3
#define CENALLOC_SRC_PROFILE		4
#define CENALLOC_SRC_DRIVER		5

#define CENALLOC_COH_ANY		0
#define CENALLOC_COH_CACHED		1
#define CENALLOC_COH_UNCACHED		2

/**
 * struct cenalloc_constraints - DMA constraints of a device or a buffer.
 * @addr_limit: highest address the device can reach.
 * @max_seg_size: longest segment, bytes.
 * @seg_boundary_mask: segments do not cross multiples of mask + 1.
 * @align: alignment of every segment, bytes (power of two).
 * @max_segments: 1 = physically contiguous; 0xffffffff = any.
 * @iommu: 1 if the device is behind an IOMMU.
 * @coherency: CENALLOC_COH_*.
 * @valid: CENALLOC_C_* bits of the fields that are set (input); on output
 *	the fields that somebody constrained, the others being zero.
 * @src: output: CENALLOC_SRC_* of each field, indexed by bit number.
 * @origin: output, merged sets: index of the attachment that set the field
 *	(0xffff: none).
 * @reserved: must be zero.
 */
struct cenalloc_constraints {
	__u64 addr_limit;
	__u64 max_seg_size;
	__u64 seg_boundary_mask;
	__u64 align;
	__u32 max_segments;
	__u8 iommu;
	__u8 coherency;
	__u16 valid;
	__u8 src[8];
	__u16 origin[8];
	__u64 reserved;
};

#define CENALLOC_BACKEND_SCATTER	0	/* pages from anywhere */
#define CENALLOC_BACKEND_CONTIG		1	/* one contiguous chunk */

/**
 * struct cenalloc_backend_info - one backend present on this kernel.
 * @name: "system", "contig", "cma" or "carveout".
 * @kind: CENALLOC_BACKEND_*.
 * @cost_rank: lower is preferred.
 * @max_chunk: largest contiguous allocation, bytes.
 * @max_align: largest alignment of a chunk, bytes.
 * @addr_lo: lowest physical address handed out.
 * @addr_hi: highest physical address handed out.
 * @lowest_limit: lowest address limit the backend can honour.
 *	These three are 0 for a backend confined to a physical range (a
 *	carveout) unless the caller has CAP_SYS_ADMIN.
 * @free_bytes: memory available now.
 * @used_bytes: bytes currently backing cenalloc buffers.
 * @allocations: buffers backed since load.
 * @failures: allocations that failed since load.
 * @reserved: zero.
 */
struct cenalloc_backend_info {
	char name[CENALLOC_NAME_LEN];
	__u32 kind;
	__u32 cost_rank;
	__u64 max_chunk;
	__u64 max_align;
	__u64 addr_lo;
	__u64 addr_hi;
	__u64 lowest_limit;
	__u64 free_bytes;
	__u64 used_bytes;
	__u64 allocations;
	__u64 failures;
	__u64 reserved[2];
};

/**
 * struct cenalloc_query - what this cenalloc can do.
 * @argsz: sizeof(struct cenalloc_query).
 * @flags: must be zero.
 * @abi_version: output: CENALLOC_ABI_VERSION.
 * @nr_backends: output: backends present.
 * @features: output: CENALLOC_FEAT_*.
 * @backends_ptr: user array of @backends_cap entries, or 0.
 * @backends_cap: entries in that array.
 * @backend_entry_size: sizeof(struct cenalloc_backend_info) as known to
 *	the caller.
 * @page_size: output: the granule of every allocation.
 * @reserved: zero.
 */
struct cenalloc_query {
	__u32 argsz;
	__u32 flags;
	__u32 abi_version;
	__u32 nr_backends;
	__u64 features;
	__u64 backends_ptr;
	__u32 backends_cap;
	__u32 backend_entry_size;
	__u32 page_size;
	__u32 reserved0;
	__u64 reserved[4];
};

/* A hint names a device the buffer is meant for and/or gives constraints. */
#define CENALLOC_HINT_CONSTRAINTS	(1U << 0)	/* @c is meaningful */

/**
 * struct cenalloc_hint - a device the buffer will be attached to.
 * @device: "bus:name" (e.g. "platform:vivid.0") or a bare device name;
 *	may be empty with CENALLOC_HINT_CONSTRAINTS.
 * @flags: CENALLOC_HINT_*.
 * @reserved0: zero.
 * @c: explicit constraints (source "hint"), when flagged.
 */
struct cenalloc_hint {
	char device[CENALLOC_DEVNAME_LEN];
	__u32 flags;
	__u32 reserved0;
	struct cenalloc_constraints c;
};

#define CENALLOC_MAX_HINTS		16

/*
 * cenalloc_create.flags: export a dynamic dma-buf.  Importers that handle
 * move_notify map it lazily and cenalloc may move it under their mappings
 * (they are told, their fences are waited for, they map again); other
 * importers are mapped and pinned by the dma-buf core as they attach, so
 * with them allocation is no longer delayed.  Needs a kernel with
 * CONFIG_DMABUF_MOVE_NOTIFY (QUERY: CENALLOC_FEAT_MOVE_NOTIFY), else
 * -EOPNOTSUPP.
 */
#define CENALLOC_CREATE_DYNAMIC		(1U << 0)

/**
 * struct cenalloc_create - make a buffer with no memory behind it.
 * @argsz: sizeof(struct cenalloc_create).
 * @flags: CENALLOC_CREATE_*.
 * @len: bytes; rounded up to @page_size of QUERY.
 * @fd_flags: O_CLOEXEC and O_RDWR / O_RDONLY bits for the new fd.
 * @fd: output: the dma-buf file descriptor.
 * @name: buffer name, optional: the dma-buf's name, so /proc/PID/fdinfo
 *	and DMA_BUF_SET_NAME see and change it.
 * @hints_ptr: user array of @nr_hints struct cenalloc_hint.
 * @nr_hints: up to CENALLOC_MAX_HINTS.
 * @hint_entry_size: sizeof(struct cenalloc_hint) as known to the caller.
 * @id: output: buffer id (for INFO by id and debugfs).
 * @reserved: zero.
 *
 * -E2BIG when @len exceeds the machine's memory or the module parameter
 * size_limit_mb; -EINVAL for a zero @len.
 */
struct cenalloc_create {
	__u32 argsz;
	__u32 flags;
	__u64 len;
	__u32 fd_flags;
	__s32 fd;
	char name[CENALLOC_NAME_LEN];
	__u64 hints_ptr;
	__u32 nr_hints;
	__u32 hint_entry_size;
	__u64 id;
	__u64 reserved[4];
};

#define CENALLOC_ATT_MAPPED		(1U << 0)
#define CENALLOC_ATT_DYNAMIC		(1U << 1)	/* dynamic importer */
#define CENALLOC_ATT_HINT		(1U << 2)	/* from a creation hint */

/**
 * struct cenalloc_attach_info - one constraint member of a buffer.
 * @device: dev_name() of the attached device, or the hint's device.
 * @driver: its driver name, if bound.
 * @flags: CENALLOC_ATT_*.
 * @nr_segments: segments of its current mapping (0 if unmapped).
 * @c: its resolved constraints with sources.
 */
struct cenalloc_attach_info {
	char device[CENALLOC_DEVNAME_LEN];
	char driver[CENALLOC_NAME_LEN];
	__u32 flags;
	__u32 nr_segments;
	struct cenalloc_constraints c;
};

#define CENALLOC_INFO_BY_ID		(1U << 0)	/* CAP_SYS_ADMIN */

#define CENALLOC_STATE_EMPTY		0	/* no memory yet */
#define CENALLOC_STATE_BACKED		1

/**
 * struct cenalloc_info - state of one buffer.
 * @argsz: sizeof(struct cenalloc_info).
 * @flags: CENALLOC_INFO_*.
 * @fd: a cenalloc dma-buf fd (unless CENALLOC_INFO_BY_ID).
 * @state: output: CENALLOC_STATE_*.
 * @id: buffer id (input with CENALLOC_INFO_BY_ID, output otherwise).
 * @len: output: size in bytes.
 * @name: output: the dma-buf's name (CREATE's, or DMA_BUF_SET_NAME's).
 * @backend: output: backend backing it, "" when empty.
 * @merged: output: the merged constraints of every member.
 * @nr_segments: output: physically contiguous runs of the backing.
 * @migrations: output: times the backing moved.
 * @nr_attach: output: members (attachments and hints).
 * @attach_cap: entries in @attach_ptr.
 * @attach_ptr: user array of struct cenalloc_attach_info, or 0.
 * @attach_entry_size: sizeof(struct cenalloc_attach_info) for the caller.
 * @last_error: output: 0 or the negative errno of the last decision.
 * @last_reason: output: the last decision and why, readable; cut to
 *	159 characters (@reason has it whole).
 * @reserved: zero.
 * @migrated_bytes: output: bytes copied by all migrations.
 * @migration_ns: output: duration of the last migration, allocation
 *	included.
 * @reason: output: the last decision and why, whole.
 * @migration_reason: output: the last migration and why, "" if none.
 */
struct cenalloc_info {
	__u32 argsz;
	__u32 flags;
	__s32 fd;
	__u32 state;
	__u64 id;
	__u64 len;
	char name[CENALLOC_NAME_LEN];
	char backend[CENALLOC_NAME_LEN];
	struct cenalloc_constraints merged;
	__u32 nr_segments;
	__u32 migrations;
	__u32 nr_attach;
	__u32 attach_cap;
	__u64 attach_ptr;
	__u32 attach_entry_size;
	__s32 last_error;
	char last_reason[CENALLOC_REASON_LEN];
	__u64 reserved[4];
	__u64 migrated_bytes;
	__u64 migration_ns;
	char reason[CENALLOC_REASON_MAX];
	char migration_reason[CENALLOC_REASON_MAX];
};

#define CENALLOC_MATCH_NAME		(1U << 0)	/* dev_name() */
#define CENALLOC_MATCH_DRIVER		(1U << 1)	/* bound driver */
#define CENALLOC_MATCH_BUS		(1U << 2)	/* bus name */
#define CENALLOC_PROFILE_CLEAR_ALL	(1U << 3)	/* PROFILE_CLEAR only */

/**
 * struct cenalloc_profile - constraints for devices matching a key.
 * @argsz: sizeof(struct cenalloc_profile).
 * @flags: CENALLOC_MATCH_* (at least one for SET), CLEAR_ALL for CLEAR.
 * @device: device name to match.
 * @driver: driver name to match.
 * @bus: bus name to match ("platform", "pci", ...).
 * @c: the constraints (source "profile"); ignored by CLEAR.
 * @reserved: zero.
 */
struct cenalloc_profile {
	__u32 argsz;
	__u32 flags;
	char device[CENALLOC_DEVNAME_LEN];
	char driver[CENALLOC_NAME_LEN];
	char bus[CENALLOC_NAME_LEN];
	struct cenalloc_constraints c;
	__u64 reserved[4];
};

#define CENALLOC_IOC_MAGIC		0xCE

#define CENALLOC_IOC_QUERY	_IOWR(CENALLOC_IOC_MAGIC, 0x0, struct cenalloc_query)
#define CENALLOC_IOC_CREATE	_IOWR(CENALLOC_IOC_MAGIC, 0x1, struct cenalloc_create)
#define CENALLOC_IOC_INFO	_IOWR(CENALLOC_IOC_MAGIC, 0x2, struct cenalloc_info)
#define CENALLOC_IOC_PROFILE_SET _IOW(CENALLOC_IOC_MAGIC, 0x3, struct cenalloc_profile)
#define CENALLOC_IOC_PROFILE_CLEAR _IOW(CENALLOC_IOC_MAGIC, 0x4, struct cenalloc_profile)

#endif /* _UAPI_LINUX_CENALLOC_H */
