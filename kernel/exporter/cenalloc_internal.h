/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the files of cenalloc.ko.
 *
 * Locking: a buffer's members, backing and mappings are protected by its
 * dma-buf's reservation lock (dmabuf->resv), which the dma-buf core
 * already holds around map/unmap/vmap/vunmap; attach, detach, mmap faults,
 * CPU access and INFO take it themselves.  Nothing takes mmap_lock while
 * holding it: the fault handler runs under mmap_lock and then takes the
 * resv lock, and a migration, under the resv lock, zaps user mappings
 * through the file's i_mmap tree (unmap_mapping_range(), i_mmap_rwsem and
 * page table locks only) and waits for fences, both allowed under it.
 * The global buffer list, the driver declarations and the profiles each
 * have their own mutex, never held across a resv lock.
 */
#ifndef CENALLOC_INTERNAL_H
#define CENALLOC_INTERNAL_H

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <uapi/linux/cenalloc.h>

#include "../constraints/cen_solver.h"

#define CENALLOC_MAX_MEMBERS	64

struct cenalloc_buffer;

/* One physically contiguous run of a backing store. */
struct cenalloc_run {
	phys_addr_t addr;
	u64 len;
};

/**
 * struct cenalloc_backing - memory behind a buffer.
 * @backend: where it came from.
 * @size: bytes (whole pages).
 * @pages: every page, for faults and vmap.
 * @runs: the contiguous runs in buffer order.
 * @nr_runs: entries in @runs.
 * @cma_page: cma: the page dma_alloc_pages() gave (for freeing).
 * @dma_handle: cma: the handle to free with.
 * @maps: device mappings (struct cenalloc_mapping) built on it.
 * @retired: in the buffer's retired list once replaced while a dynamic
 *	importer still held a mapping of it; freed at its last unmap.
 */
struct cenalloc_backing {
	struct cenalloc_backend *backend;
	u64 size;
	struct page **pages;
	struct cenalloc_run *runs;
	u32 nr_runs;
	struct page *cma_page;
	dma_addr_t dma_handle;
	u32 maps;
	struct list_head retired;
};

/* One device mapping: the sg_table handed out and what it points into. */
struct cenalloc_mapping {
	struct sg_table sgt;
	struct cenalloc_backing *backing;
};

/**
 * struct cenalloc_backend - one memory source.
 * @desc: capabilities as the solver sees them (free bytes refreshed).
 * @alloc: back @bk with @bk->size bytes following @plan.
 * @free: release what @alloc got.
 * @refresh: update @desc.free_bytes.
 * @used: bytes backing live buffers.
 * @allocations: successful allocations since load.
 * @failures: failed allocations since load.
 */
struct cenalloc_backend {
	struct cen_backend_desc desc;
	int (*alloc)(struct cenalloc_backend *be, struct cenalloc_backing *bk,
		     const struct cen_plan *plan);
	void (*free)(struct cenalloc_backend *be, struct cenalloc_backing *bk);
	void (*refresh)(struct cenalloc_backend *be);
	atomic64_t used;
	atomic64_t allocations;
	atomic64_t failures;
};

/* A member of a buffer's constraint set: an attachment or a hint. */
struct cenalloc_member {
	struct list_head node;
	struct cen_constraints c;
	char name[CENALLOC_DEVNAME_LEN];
	char driver[CENALLOC_NAME_LEN];
	u32 flags;			/* CENALLOC_ATT_* but MAPPED */
	struct dma_buf_attachment *attach;	/* NULL for hints */
	struct sg_table *sgt;		/* this device's current mapping */
	u32 pins;			/* dma_buf_pin() calls in force */
};

/* A member's flags as INFO and debugfs show them. */
static inline u32 cenalloc_member_flags(const struct cenalloc_member *m)
{
	return m->flags | (m->sgt ? CENALLOC_ATT_MAPPED : 0);
}

/* Entries of a member's current mapping, 0 when unmapped. */
static inline u32 cenalloc_member_segments(const struct cenalloc_member *m)
{
	return m->sgt ? m->sgt->nents : 0;
}

/**
 * struct cenalloc_buffer - exporter-private state of one dma-buf.
 * @dmabuf: the dma-buf.
 * @id: number shown in INFO and debugfs.
 * @size: bytes, whole pages.
 * @name: name given at creation.
 * @members: hints then attachments, in the order their indices refer to.
 * @nr_members: entries in @members.
 * @merged: intersection of the members, for display.
 * @dynamic: exported with pin/unpin (CENALLOC_CREATE_DYNAMIC).
 * @backing: NULL until first use.
 * @retired: old backings dynamic importers still have mapped.
 * @vmap_count: kernel mappings alive.
 * @vaddr: the kernel mapping.
 * @memcg: the creator's memory cgroup, charged for the backing.
 * @migrations: times the backing moved.
 * @migrated_bytes: bytes copied by those moves.
 * @migration_ns: how long the last move took, allocation included.
 * @migration_reason: the last move and why, in words.
 * @last_error: 0 or the errno of the last decision.
 * @last_reason: that decision, in words.
 * @node: in the global buffer list.
 */
struct cenalloc_buffer {
	struct dma_buf *dmabuf;
	u64 id;
	u64 size;
	char name[CENALLOC_NAME_LEN];
	struct list_head members;
	u32 nr_members;
	struct cen_constraints merged;
	bool dynamic;
	struct cenalloc_backing *backing;
	struct list_head retired;
	u32 vmap_count;
	void *vaddr;
	struct mem_cgroup *memcg;
	u32 migrations;
	u64 migrated_bytes;
	u64 migration_ns;
	char migration_reason[CENALLOC_REASON_MAX];
	int last_error;
	char last_reason[CENALLOC_REASON_MAX];
	struct list_head node;
};

/* cenalloc_main.c */
extern bool cenalloc_relax_default;
extern struct mutex cenalloc_buffers_lock;
extern struct list_head cenalloc_buffers;

/* cenalloc_backend.c */
int cenalloc_backends_init(void);
void cenalloc_backends_exit(void);
u32 cenalloc_backend_count(void);
struct cenalloc_backend *cenalloc_backend_get(u32 i);
void cenalloc_backend_descs(struct cen_backend_desc *descs, u32 *n);

/* cenalloc_sources.c */
void cenalloc_resolve_device(struct device *dev, struct cen_constraints *c);
int cenalloc_resolve_hint(const struct cenalloc_hint *h,
			  struct cenalloc_member *m, char *reason, size_t len);
int cenalloc_profile_set(const struct cenalloc_profile *p);
int cenalloc_profile_clear(const struct cenalloc_profile *p);
void cenalloc_sources_exit(void);
void cenalloc_sources_show(struct seq_file *s);
void cenalloc_uapi_to_constraints(const struct cenalloc_constraints *u,
				  enum cen_source src,
				  struct cen_constraints *c);
void cenalloc_constraints_to_uapi(const struct cen_constraints *c,
				  struct cenalloc_constraints *u);

/* cenalloc_buffer.c */
__printf(3, 4) void cenalloc_decide(struct cenalloc_buffer *buf, int err,
				    const char *fmt, ...);
const char *cenalloc_member_name(struct cenalloc_buffer *buf, u32 idx);
int cenalloc_backing_alloc(struct cenalloc_buffer *buf,
			   struct cenalloc_backing **out, bool *fallback,
			   char *why, size_t len);
int cenalloc_backing_fits(const struct cenalloc_backing *bk,
			  const struct cen_constraints *c, struct cen_why *why);
void cenalloc_backing_free(struct cenalloc_backing *bk);
void *cenalloc_backing_vmap(const struct cenalloc_backing *bk);
struct dma_buf *cenalloc_buffer_create(u64 len, u32 flags, u32 fd_flags,
				       const char *name,
				       struct list_head *hints, u32 nr_hints);
struct cenalloc_buffer *cenalloc_buffer_from_dmabuf(struct dma_buf *dmabuf);
void cenalloc_buffer_show(struct seq_file *s, struct cenalloc_buffer *buf);

/* cenalloc_migrate.c */
#define CENALLOC_INJECT_ALLOC	BIT(0)	/* the new backing's allocation */
#define CENALLOC_INJECT_COPY	BIT(1)	/* the copy, after the zap */
extern u32 cenalloc_inject_migration;
int cenalloc_migrate(struct cenalloc_buffer *buf, struct cenalloc_member *late,
		     const char *unfit);

/* cenalloc_debugfs.c */
void cenalloc_debugfs_init(void);
void cenalloc_debugfs_exit(void);

#endif /* CENALLOC_INTERNAL_H */
