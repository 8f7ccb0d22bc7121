/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ioctl ABI of the cenalloc test importer, cen_importer.ko.
 *
 * /dev/cen_importer lets an integration test play the part of a device
 * driver that imports dma-bufs: it creates platform devices with chosen DMA
 * constraints, attaches dma-bufs to them, maps the attachments and checks
 * every mapped segment against the device's own constraints, independently
 * of cenalloc's solver.
 *
 * Everything a file descriptor creates (devices, attachments, mappings,
 * vmaps) belongs to it and is released when it is closed.  Objects are named
 * by handles, small positive integers, one namespace per object type.
 *
 * Reserved fields must be zero and unknown flags are -EINVAL.  Test code
 * only: this ABI may change with the tests that use it.
 */
#ifndef _UAPI_CEN_IMPORTER_H
#define _UAPI_CEN_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CEN_IMP_NAME_LEN		32
#define CEN_IMP_DEVNAME_LEN		64
#define CEN_IMP_MAX_REPORT		16	/* segments reported by MAP */
#define CEN_IMP_MAX_RW			(1U << 20) /* bytes per READ/WRITE */

/* How the device tells cenalloc about itself (cen_imp_dev_create.declare). */
#define CEN_IMP_DECLARE_NONE		0	/* plain device: default policy */
#define CEN_IMP_DECLARE_CONTIG		1	/* driver API: 1 segment */
#define CEN_IMP_DECLARE_SCATTER		2	/* driver API: scatter-gather */

/* cen_imp_dev_create.flags */
/* The device needs physically contiguous memory; MAP checks it. */
#define CEN_IMP_DEV_CONTIG		(1U << 0)
/* Do not bind the cen_importer platform driver (dev->driver stays NULL). */
#define CEN_IMP_DEV_NO_DRIVER		(1U << 1)
/* The declaration also says "behind an IOMMU" (CEN_F_IOMMU = 1). */
#define CEN_IMP_DEV_DECL_IOMMU		(1U << 2)
/* Declare only the segment count, not limit / segment size / boundary. */
#define CEN_IMP_DEV_DECL_SEGS_ONLY	(1U << 3)
#define CEN_IMP_DEV_FLAGS_ALL		0xfU

/**
 * struct cen_imp_dev_create - create a platform device.
 * @name: in: device name, [A-Za-z0-9_.-], unique on the platform bus; the
 *	device is "platform:<name>" (PLATFORM_DEVID_NONE).
 * @flags: in: CEN_IMP_DEV_*.
 * @declare: in: CEN_IMP_DECLARE_*; CONTIG implies CEN_IMP_DEV_CONTIG.
 * @dma_bits: in: streaming and coherent DMA mask width, 12..64; 0 keeps
 *	the platform default (32).
 * @max_seg_size: in: dma_set_max_seg_size(); 0 keeps the default (64 KiB).
 * @seg_boundary_mask: in: dma_set_seg_boundary(), 2^k - 1; 0 = none.
 * @bus_dma_limit: in: dev->bus_dma_limit; 0 = none.
 * @align: in: every DMA segment starts at a multiple of it (power of two);
 *	0 or 1 = none.  Declared (unless SEGS_ONLY) and checked.
 * @max_segments: in: most DMA segments the device takes; 0 = any (1 with
 *	CEN_IMP_DEV_CONTIG).  Declared with DECLARE_SCATTER and checked.
 * @handle: out: device handle.
 * @reserved0: zero.
 * @dma_mask: out: *dev->dma_mask.
 * @addr_limit: out: highest DMA address, min_not_zero(mask, bus limit).
 * @eff_max_seg_size: out: dma_get_max_seg_size().
 * @eff_max_segments: out: segment limit checked by MAP (0xffffffff = any).
 * @coherent: out: 1 when the device's DMA is cache-coherent (no CPU cache
 *	maintenance needed: x86), 0 when every mapping and sync must clean
 *	or invalidate caches (arm64 devices without dma-coherent, as here).
 * @eff_seg_boundary: out: dma_get_seg_boundary().
 * @dev_name: out: dev_name().
 * @reserved: zero.
 */
struct cen_imp_dev_create {
	char name[CEN_IMP_NAME_LEN];
	__u32 flags;
	__u32 declare;
	__u32 dma_bits;
	__u32 max_seg_size;
	__u64 seg_boundary_mask;
	__u64 bus_dma_limit;
	__u64 align;
	__u32 max_segments;
	__u32 handle;
	__u32 reserved0;
	__u32 eff_max_seg_size;
	__u64 dma_mask;
	__u64 addr_limit;
	__u32 eff_max_segments;
	__u32 coherent;
	__u64 eff_seg_boundary;
	char dev_name[CEN_IMP_DEVNAME_LEN];
	__u64 reserved[4];
};

/* cen_imp_attach.flags */
/* Attach as a dynamic importer (dma_buf_dynamic_attach with move_notify). */
#define CEN_IMP_ATTACH_DYNAMIC		(1U << 0)
/*
 * With DYNAMIC: move_notify only marks the mapping stale (as GPU drivers
 * do, unmapping at their next use) instead of unmapping it at once.  A
 * stale mapping refuses DMA_RW with -ESTALE until UNMAP and MAP again.
 */
#define CEN_IMP_ATTACH_LAZY		(1U << 1)
#define CEN_IMP_ATTACH_FLAGS_ALL	0x3U

/**
 * struct cen_imp_attach - dma_buf_attach() a dma-buf to a device, no map.
 * @dev: in: device handle.
 * @fd: in: dma-buf file descriptor (the importer keeps its own reference).
 * @flags: in: CEN_IMP_ATTACH_*.
 * @handle: out: attachment handle.
 * @size: out: dmabuf->size.
 * @is_cenalloc: out: 1 if cenalloc_is_cenalloc_dmabuf().
 * @reserved0: zero.
 * @exporter: out: dmabuf->exp_name.
 * @reserved: zero.
 */
struct cen_imp_attach {
	__u32 dev;
	__s32 fd;
	__u32 flags;
	__u32 handle;
	__u64 size;
	__u32 is_cenalloc;
	__u32 reserved0;
	char exporter[CEN_IMP_NAME_LEN];
	__u64 reserved[2];
};

/* Verdict of MAP / CHECK. */
#define CEN_IMP_PASS			0
#define CEN_IMP_FAIL			1

/* The first rule a mapping broke (cen_imp_map.rule). */
#define CEN_IMP_RULE_NONE		0
#define CEN_IMP_RULE_EMPTY		1	/* no segments or a 0-length one */
#define CEN_IMP_RULE_WRAP		2	/* addr + len overflows */
#define CEN_IMP_RULE_ADDR_LIMIT		3	/* a byte above the limit */
#define CEN_IMP_RULE_MAX_SEG_SIZE	4	/* segment > max_seg_size */
#define CEN_IMP_RULE_SEG_BOUNDARY	5	/* crosses a boundary window */
#define CEN_IMP_RULE_ALIGN		6	/* start not aligned */
#define CEN_IMP_RULE_MAX_SEGMENTS	7	/* more segments than allowed */
#define CEN_IMP_RULE_CONTIG		8	/* contiguous size < buffer size */
#define CEN_IMP_RULE_TOTAL		9	/* DMA lengths != buffer size */
#define CEN_IMP_RULE_BOUNCED		10	/* DMA address != physical: */
						/* swiotlb bounced it */
#define CEN_IMP_RULE_COUNT		11

/**
 * struct cen_imp_seg - one DMA segment.
 * @addr: sg_dma_address().
 * @len: sg_dma_len().
 */
struct cen_imp_seg {
	__u64 addr;
	__u64 len;
};

/*
 * cen_imp_map.flags: MAP a mapped (non-dynamic) attachment a second time,
 * as importers may; UNMAP then drops this newer one first.
 */
#define CEN_IMP_MAP_AGAIN		(1U << 0)
#define CEN_IMP_MAP_FLAGS_ALL		0x1U

/**
 * struct cen_imp_map - MAP (map and check) or CHECK (check the mapping).
 * @handle: in: attachment handle.
 * @flags: in: zero.
 * @verdict: out: CEN_IMP_PASS or CEN_IMP_FAIL.
 * @rule: out: first CEN_IMP_RULE_* broken.
 * @bad_index: out: index of the segment that broke it.
 * @nr_violations: out: rules broken in total (segments x rules).
 * @bad_value: out: the offending value (address, length, count...).
 * @bad_limit: out: the limit it was checked against.
 * @nr_segments: out: DMA segments (sgt->nents).
 * @nr_entries: out: CPU scatterlist entries (sgt->orig_nents).
 * @nr_runs: out: runs of DMA-adjacent segments (1 = contiguous).
 * @nr_bounced: out: segments whose DMA address is not their physical one.
 * @moves: out: move_notify calls seen by this attachment so far.
 * @reserved0: zero.
 * @size: out: dmabuf->size.
 * @total: out: sum of the DMA lengths.
 * @contig_size: out: bytes DMA-contiguous from the first segment, as
 *	videobuf2-dma-contig's vb2_dc_get_contiguous_size() counts them.
 * @lowest: out: lowest DMA address.
 * @highest: out: highest DMA byte address.
 * @longest: out: longest segment.
 * @segs: out: the first CEN_IMP_MAX_REPORT segments.
 * @reserved: zero.
 */
struct cen_imp_map {
	__u32 handle;
	__u32 flags;
	__u32 verdict;
	__u32 rule;
	__u32 bad_index;
	__u32 nr_violations;
	__u64 bad_value;
	__u64 bad_limit;
	__u32 nr_segments;
	__u32 nr_entries;
	__u32 nr_runs;
	__u32 nr_bounced;
	__u32 moves;
	__u32 reserved0;
	__u64 size;
	__u64 total;
	__u64 contig_size;
	__u64 lowest;
	__u64 highest;
	__u64 longest;
	struct cen_imp_seg segs[CEN_IMP_MAX_REPORT];
	__u64 reserved[4];
};

/**
 * struct cen_imp_handle - name one object (UNMAP, DETACH, DEV_DESTROY,
 *	VUNMAP).
 * @handle: in: the handle.
 * @flags: in: zero.
 * @reserved: zero.
 */
struct cen_imp_handle {
	__u32 handle;
	__u32 flags;
	__u64 reserved;
};

/**
 * struct cen_imp_vmap - dma_buf_vmap_unlocked() a dma-buf.
 * @fd: in: dma-buf file descriptor (the importer keeps its own reference).
 * @flags: in: zero.
 * @handle: out: vmap handle.
 * @is_iomem: out: 1 if the mapping is I/O memory.
 * @size: out: dmabuf->size.
 * @reserved: zero.
 */
struct cen_imp_vmap {
	__s32 fd;
	__u32 flags;
	__u32 handle;
	__u32 is_iomem;
	__u64 size;
	__u64 reserved[2];
};

/* cen_imp_rw.flags */
#define CEN_IMP_RW_WRITE		(1U << 0)	/* user -> buffer */
#define CEN_IMP_RW_FLAGS_ALL		0x1U

/**
 * struct cen_imp_rw - copy bytes between user memory and a vmap.
 * @handle: in: vmap handle.
 * @flags: in: CEN_IMP_RW_*; without WRITE the buffer is read.
 * @offset: in: byte offset in the buffer.
 * @len: in: bytes, at most CEN_IMP_MAX_RW; offset + len <= size.
 * @user_ptr: in: user buffer.
 * @reserved: zero.
 */
struct cen_imp_rw {
	__u32 handle;
	__u32 flags;
	__u64 offset;
	__u64 len;
	__u64 user_ptr;
	__u64 reserved[2];
};

#define CEN_IMP_IOC_MAGIC		0xCF

#define CEN_IMP_IOC_DEV_CREATE	_IOWR(CEN_IMP_IOC_MAGIC, 0x0, struct cen_imp_dev_create)
#define CEN_IMP_IOC_DEV_DESTROY	_IOW(CEN_IMP_IOC_MAGIC, 0x1, struct cen_imp_handle)
#define CEN_IMP_IOC_ATTACH	_IOWR(CEN_IMP_IOC_MAGIC, 0x2, struct cen_imp_attach)
#define CEN_IMP_IOC_DETACH	_IOW(CEN_IMP_IOC_MAGIC, 0x3, struct cen_imp_handle)
#define CEN_IMP_IOC_MAP		_IOWR(CEN_IMP_IOC_MAGIC, 0x4, struct cen_imp_map)
#define CEN_IMP_IOC_CHECK	_IOWR(CEN_IMP_IOC_MAGIC, 0x5, struct cen_imp_map)
#define CEN_IMP_IOC_UNMAP	_IOW(CEN_IMP_IOC_MAGIC, 0x6, struct cen_imp_handle)
#define CEN_IMP_IOC_VMAP	_IOWR(CEN_IMP_IOC_MAGIC, 0x7, struct cen_imp_vmap)
#define CEN_IMP_IOC_VUNMAP	_IOW(CEN_IMP_IOC_MAGIC, 0x8, struct cen_imp_handle)
#define CEN_IMP_IOC_RW		_IOW(CEN_IMP_IOC_MAGIC, 0x9, struct cen_imp_rw)
/*
 * DMA_RW: like RW, but @handle is an attachment and the bytes go through
 * the pages of its current mapping, in scatterlist order, as the device
 * would reach them: what the importer was given, not what the exporter
 * thinks it gave.  -ENODATA when the attachment is not mapped.
 */
#define CEN_IMP_IOC_DMA_RW	_IOW(CEN_IMP_IOC_MAGIC, 0xa, struct cen_imp_rw)

/**
 * struct cen_imp_busy - make the device busy with the buffer for a while.
 * @handle: in: attachment handle.
 * @ms: in: milliseconds until the work is done.
 * @reserved: zero.
 *
 * Adds a write fence to the dma-buf's reservation object that signals
 * after @ms, as a device's pending DMA would.
 */
struct cen_imp_busy {
	__u32 handle;
	__u32 ms;
	__u64 reserved;
};

#define CEN_IMP_IOC_BUSY	_IOW(CEN_IMP_IOC_MAGIC, 0xb, struct cen_imp_busy)

#endif /* _UAPI_CEN_IMPORTER_H */
