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
 *
 * Global locks, in the order they nest:
 *   cenalloc_buffers_lock -> dmabuf->resv: INFO by id and debugfs walk the
 *	buffer list and take each buffer's resv lock to read it; release
 *	unlinks under cenalloc_buffers_lock before it frees, which keeps the
 *	buffer alive meanwhile.  Nothing takes cenalloc_buffers_lock with a
 *	resv lock held (create and release hold none).
 *   cenalloc_users_lock (cenalloc_quota.c) is a leaf, taken at release
 *	and at a buffer's first charge of scarce memory (under its resv
 *	lock); charging itself is an atomic.
 *   The driver declarations and the profiles have their own mutexes, taken
 *	before (never under) a resv lock: attach resolves the device first.
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

/* Pages of a buffer small enough to keep its page array in its backing. */
#define CENALLOC_INLINE_PAGES	16

/* What a new backing's first contents are (cenalloc_backing_alloc()). */
enum cenalloc_fill {
	CENALLOC_ZEROED,	/* zeroes: users may read it before writing */
	CENALLOC_OVERWRITTEN,	/* a copy of the whole buffer (migration) */
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
 * @quota: the creator's record, charged @charged bytes of scarce memory.
 * @charged: bytes charged to @quota (0 for memory nobody constrains).
 * @anticipated: the address limit it was placed at or below for devices
 *	that have not attached yet (cen_solution_anticipate()), 0 if none.
 * @fill: CENALLOC_OVERWRITTEN: its backend need not clear it (the kernel
 *	may still, with init_on_alloc).
 * @inline_pages: @pages of a buffer of CENALLOC_INLINE_PAGES pages or
 *	fewer, and @inline_run @runs of a backing of one run: the common
 *	small and contiguous buffers allocate no arrays.
 * @inline_run: see @inline_pages.
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
	struct cenalloc_quota *quota;
	u64 charged;
	u64 anticipated;
	enum cenalloc_fill fill;
	struct page *inline_pages[CENALLOC_INLINE_PAGES];
	struct cenalloc_run inline_run;
};

/**
 * struct cenalloc_mapping - one device mapping handed to an importer.
 * @sgt: the sg_table handed out, mapped for the member's device.
 * @backing: what it points into.
 * @dir: the direction it was mapped with; its CPU syncs use the same.
 * @node: in the member's @maps, every live mapping (an importer may map
 *	one attachment more than once).
 */
struct cenalloc_mapping {
	struct sg_table sgt;
	struct cenalloc_backing *backing;
	enum dma_data_direction dir;
	struct list_head node;
};

/**
 * struct cenalloc_backend - one memory source.
 * @desc: capabilities as the solver sees them; constant after load
 *	(@desc.free_bytes is filled in copies, never here).
 * @alloc: back @bk with @bk->size bytes following @plan.
 * @free: release what @alloc got.
 * @free_bytes: what it could still give now, for @desc.free_bytes.
 * @used: bytes backing live buffers.
 * @allocations: successful allocations since load.
 * @failures: failed allocations since load.
 * @ram: its memory is the page allocator's (System RAM), cached
 *	write-back wherever it is mapped; not a carveout's.
 * @free_sample: @free_bytes as of jiffy @free_stamp (cenalloc_backend_descs()).
 * @free_stamp: when @free_sample was taken.
 */
struct cenalloc_backend {
	struct cen_backend_desc desc;
	int (*alloc)(struct cenalloc_backend *be, struct cenalloc_backing *bk,
		     const struct cen_plan *plan);
	void (*free)(struct cenalloc_backend *be, struct cenalloc_backing *bk);
	u64 (*free_bytes)(struct cenalloc_backend *be);
	atomic64_t used;
	atomic64_t allocations;
	atomic64_t failures;
	bool ram;
	u64 free_sample;
	unsigned long free_stamp;
};

/* A member of a buffer's constraint set: an attachment or a hint. */
struct cenalloc_member {
	struct list_head node;
	struct cen_constraints c;
	char name[CENALLOC_DEVNAME_LEN];
	char driver[CENALLOC_NAME_LEN];
	u32 flags;			/* CENALLOC_ATT_* but MAPPED */
	struct dma_buf_attachment *attach;	/* NULL for hints */
	struct list_head maps;		/* struct cenalloc_mapping, live */
	u32 pins;			/* dma_buf_pin() calls in force */
};

/*
 * The member's newest mapping of @bk, NULL when it has none.  Mappings of
 * an older backing are those a dynamic importer kept after being told
 * of a move: they no longer count as using the buffer.
 */
static inline struct cenalloc_mapping *
cenalloc_member_mapping(const struct cenalloc_member *m,
			const struct cenalloc_backing *bk)
{
	struct cenalloc_mapping *map;

	list_for_each_entry_reverse(map, &m->maps, node)
		if (map->backing == bk)
			return map;
	return NULL;
}

/*
 * The words of a buffer's last decision: made when it was taken, or, for
 * the common ones whose words follow from the buffer's state, when they
 * are read (any later change of that state is a decision of its own).
 */
enum cenalloc_note {
	CENALLOC_NOTE_CREATED,	/* "created with N hint(s), no memory yet" */
	CENALLOC_NOTE_BACKED,	/* allocated, nothing constraining it */
	CENALLOC_NOTE_ATTACHED,	/* "attached <the last member>" */
	CENALLOC_NOTE_TEXT,	/* @last_reason */
};

/*
 * User mappings of a buffer remembered, so that the allocation a CPU
 * access causes maps the caller's pages at once (as the system heap does
 * at mmap) instead of taking a fault per window.
 */
#define CENALLOC_VIEWS	4

/**
 * struct cenalloc_view - where a process mapped the buffer, as a hint.
 * @mm: the process's mm; compared, never dereferenced (it may be gone).
 * @start: the mapping's first address.
 *
 * The VMA is looked up again under that mm's mmap_lock before any use,
 * and used only if it is still a mapping of this buffer.
 */
struct cenalloc_view {
	const struct mm_struct *mm;
	unsigned long start;
};

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
 * @creator: the user that created it.
 * @quota: the creator's record of scarce memory (cenalloc_quota.c), looked
 *	up at the first charge; NULL before.
 * @scarce_limit: bytes of scarce memory the creator may hold in all
 *	(RLIMIT_MEMLOCK at creation, U64_MAX for none); a creator with
 *	CAP_IPC_LOCK may pass it.
 * @migrations: times the backing moved.
 * @migrated_bytes: bytes copied by those moves.
 * @migration_ns: how long the last move took, allocation included.
 * @migration_reason: the last move and why, in words; NULL before the
 *	first (cenalloc_reason_slot()).
 * @last_error: 0 or the errno of the last decision.
 * @note: what the last decision's words are (cenalloc_last_reason()).
 * @note_fallback: CENALLOC_NOTE_BACKED: a later plan served.
 * @last_reason: CENALLOC_NOTE_TEXT: the decision in words (NULL without
 *	memory for them).  Kept apart so that a buffer nobody used costs
 *	less than a kmalloc-1k.
 * @created_hints: hints given at creation.
 * @views: the last CENALLOC_VIEWS user mappings, under the resv lock.
 * @next_view: the slot of @views the next mmap takes.
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
	kuid_t creator;
	struct cenalloc_quota *quota;
	u64 scarce_limit;
	u32 migrations;
	u64 migrated_bytes;
	u64 migration_ns;
	char *migration_reason;
	int last_error;
	enum cenalloc_note note;
	bool note_fallback;
	char *last_reason;
	u32 created_hints;
	struct cenalloc_view views[CENALLOC_VIEWS];
	u32 next_view;
	struct list_head node;
};

char *cenalloc_reason_slot(char **slot);
const char *cenalloc_last_reason(const struct cenalloc_buffer *buf,
				 char *tmp, size_t len);

/* cenalloc_main.c */
extern bool cenalloc_relax_default;
extern unsigned long long cenalloc_anticipate_limit;
u64 cenalloc_size_limit(void);
extern struct mutex cenalloc_buffers_lock;
extern struct list_head cenalloc_buffers;

/* cenalloc_backend.c */
int cenalloc_backends_init(void);
void cenalloc_backends_exit(void);
u32 cenalloc_backend_count(void);
struct cenalloc_backend *cenalloc_backend_get(u32 i);
void cenalloc_backend_descs(struct cen_backend_desc *descs, u32 *n);
bool cenalloc_plan_is_scarce(const struct cenalloc_backend *be,
			     const struct cen_plan *plan);

/* cenalloc_quota.c */
struct cenalloc_quota *cenalloc_quota_get(kuid_t uid);
void cenalloc_quota_put(struct cenalloc_quota *q);
int cenalloc_quota_charge(struct cenalloc_quota *q, u64 limit, u64 bytes,
			  char *why, size_t len);
void cenalloc_quota_uncharge(struct cenalloc_quota *q, u64 bytes);
void cenalloc_quota_show(struct seq_file *s);

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
const char *cenalloc_member_name(const struct cenalloc_buffer *buf, u32 idx);
u32 cenalloc_member_flags(const struct cenalloc_buffer *buf,
			  const struct cenalloc_member *m);
u32 cenalloc_member_segments(const struct cenalloc_buffer *buf,
			     const struct cenalloc_member *m);
int cenalloc_backing_alloc(struct cenalloc_buffer *buf, enum cenalloc_fill fill,
			   struct cenalloc_backing **out, bool *fallback,
			   char *why, size_t len);
int cenalloc_backing_fits(const struct cenalloc_backing *bk,
			  const struct cen_constraints *c, struct cen_why *why);
void cenalloc_backing_free(struct cenalloc_backing *bk);
long cenalloc_create_fd(u64 len, u32 flags, u32 fd_flags, const char *name,
			struct list_head *hints, u32 nr_hints,
			void *k, size_t ksize, unsigned int cmd,
			unsigned long arg, s32 *fd_out, u64 *id_out,
			int (*out)(unsigned long, const void *, size_t,
				   unsigned int));
/* /dev/dma_heap/cenalloc: cenalloc_heap_misc.c or cenalloc_heap_provider.c */
int cenalloc_heap_face_init(void);
void cenalloc_heap_face_exit(void);
struct dma_buf *cenalloc_buffer_create(u64 len, u32 flags, u32 fd_flags,
				       const char *name,
				       struct list_head *hints, u32 nr_hints);
struct cenalloc_buffer *cenalloc_buffer_from_dmabuf(struct dma_buf *dmabuf);
struct cenalloc_member *cenalloc_member_alloc(void);
int cenalloc_ensure_backed(struct cenalloc_buffer *buf);
void cenalloc_buffer_show(struct seq_file *s, struct cenalloc_buffer *buf);

/* cenalloc_mapping.c */
struct sg_table *cenalloc_map(struct dma_buf_attachment *attach,
			      enum dma_data_direction dir);
void cenalloc_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		    enum dma_data_direction dir);
void cenalloc_sync_mappings(struct cenalloc_buffer *buf,
			    struct cenalloc_backing *bk, bool for_cpu);
int cenalloc_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir);
int cenalloc_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir);
int cenalloc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma);
int cenalloc_vmap(struct dma_buf *dmabuf, struct iosys_map *map);
void cenalloc_vunmap(struct dma_buf *dmabuf, struct iosys_map *map);
void *cenalloc_backing_vmap(const struct cenalloc_backing *bk);

/* cenalloc_migrate.c */
int cenalloc_migrate(struct cenalloc_buffer *buf, struct cenalloc_member *late,
		     const char *unfit);

/* cenalloc_debugfs.c */
void cenalloc_debugfs_init(void);
void cenalloc_debugfs_exit(void);

/*
 * Where cenalloc_should_fail() can make an allocation fail (debugfs
 * fail_sites, with the fault attributes in fail/).
 */
#define CENALLOC_FAIL_CREATE	BIT(0)	/* a buffer and its records */
#define CENALLOC_FAIL_MEMBER	BIT(1)	/* a member (attach, hint) */
#define CENALLOC_FAIL_SOLVE	BIT(2)	/* the solver's scratch */
#define CENALLOC_FAIL_BACKEND	BIT(3)	/* a backend's memory */
#define CENALLOC_FAIL_MAP	BIT(4)	/* a device mapping's sg_table */
#define CENALLOC_FAIL_VMAP	BIT(5)	/* a kernel mapping */
#define CENALLOC_FAIL_COPY	BIT(6)	/* a move's copy, after the zap */
bool cenalloc_should_fail(u32 site);

#endif /* CENALLOC_INTERNAL_H */
