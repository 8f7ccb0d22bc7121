// SPDX-License-Identifier: GPL-2.0
/*
 * Moving a buffer's backing store when a device attaches late with
 * constraints the memory already behind the buffer does not meet.
 *
 * A move is safe only while no device can be using the old memory and no
 * kernel pointer into it exists: nothing vmapped, no attachment mapped
 * except by dynamic importers that have not pinned it (dynamic buffers
 * only, on kernels with CONFIG_DMABUF_MOVE_NOTIFY).  User mappings do not
 * stop it: they are PFN mappings that are never pinned, so they are zapped
 * and fault back in on the new pages.
 *
 * Order of a move, all under the buffer's reservation lock:
 *   1. allocate the new backing (users keep running on the old one);
 *   2. tell the dynamic importers (move_notify) and wait for every fence
 *      on the buffer: after that no device touches the old pages;
 *   3. map both backings for the CPU;
 *   4. zap the user mappings, so from here on every user access faults
 *      and waits for the reservation lock;
 *   5. copy;
 *   6. install the new backing and free the old one, unless a dynamic
 *      importer still holds a mapping of it: then it is retired and freed
 *      at that mapping's unmap.
 * Any failure before 6 frees what the move allocated and leaves the old
 * backing installed; a user mapping zapped in 4 faults back in on the
 * very pages it had, contents untouched, and a dynamic importer told in 2
 * maps the old backing again.
 */
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "cenalloc_compat.h"
#include "cenalloc_internal.h"
#include "cenalloc_trace.h"

/* Copied between two scheduling points: small enough to stay responsive. */
#define CENALLOC_COPY_STEP	SZ_2M

/* How long a move waits for the devices' fences before it gives up. */
#define CENALLOC_FENCE_TIMEOUT_MS	2000

/*
 * Who keeps the old backing in use; NULL when nobody does.  *@notify is
 * set when dynamic importers hold mappings that they must be told about.
 */
static const char *cenalloc_move_blocker(struct cenalloc_buffer *buf,
					 struct cenalloc_member *late,
					 bool *notify, char *who, size_t len)
{
	struct cenalloc_member *m;

	*notify = false;
	if (buf->vmap_count) {
		snprintf(who, len, "the kernel has it vmapped (%u)",
			 buf->vmap_count);
		return who;
	}
	list_for_each_entry(m, &buf->members, node) {
		if (m == late)
			continue;
		if (m->pins) {
			snprintf(who, len, "%s has it pinned", m->name);
			return who;
		}
		/* Every mapping counts, however many one attachment made. */
		if (!cenalloc_member_mapping(m, buf->backing))
			continue;
		/*
		 * Only a dynamic importer of a dynamic buffer (which exists
		 * only with CONFIG_DMABUF_MOVE_NOTIFY) can be told to let go.
		 */
		if (!buf->dynamic || !(m->flags & CENALLOC_ATT_DYNAMIC)) {
			snprintf(who, len, "%s has it mapped", m->name);
			return who;
		}
		*notify = true;
	}
	return NULL;
}

/*
 * Tell the dynamic importers their mappings are going away and wait until
 * no device works on the buffer any more.  What they do not unmap now
 * stays valid memory until they do (the old backing is retired, not
 * freed), but they must map again to see the new one: a mapping of an
 * older backing does not count as using the buffer.  Their mappings are
 * synced for the CPU, which is about to read what the devices wrote.
 */
static int cenalloc_quiesce(struct cenalloc_buffer *buf, char *why,
			    size_t len)
{
	long left;

	cenalloc_invalidate_mappings(buf->dmabuf);
	left = dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
				     true,
				     msecs_to_jiffies(CENALLOC_FENCE_TIMEOUT_MS));
	if (left <= 0) {
		snprintf(why, len, left ? "interrupted waiting for fences" :
			 "fences not signalled within %u ms",
			 CENALLOC_FENCE_TIMEOUT_MS);
		return left ? (int)left : -ETIMEDOUT;
	}
	cenalloc_sync_mappings(buf, buf->backing, true);
	return 0;
}

/* Copy @src to @dst, both kernel mappings of @size bytes. */
static void cenalloc_copy(void *dst, const void *src, u64 size)
{
	u64 off;

	/* No-ops where caches do not alias; needed where they do. */
	invalidate_kernel_vmap_range((void *)src, size);
	for (off = 0; off < size; off += CENALLOC_COPY_STEP) {
		memcpy(dst + off, src + off,
		       min_t(u64, CENALLOC_COPY_STEP, size - off));
		cond_resched();
	}
	flush_kernel_vmap_range(dst, size);
}

/**
 * cenalloc_migrate() - move a buffer to backing that also suits @late.
 * @buf: the buffer, its reservation lock held.
 * @late: the member that just attached, already linked and merged.
 * @unfit: why the current backing does not suit @late, in words.
 *
 * Return: 0 when the buffer now lives in memory that suits every member;
 * -EBUSY when the old memory is in use and cannot move; -ENOMEM when no
 * backend can provide memory for the new member set.  On error the buffer
 * is exactly as it was and the decision says why.
 */
int cenalloc_migrate(struct cenalloc_buffer *buf, struct cenalloc_member *late,
		     const char *unfit)
{
	struct cenalloc_backing *old = buf->backing, *new = NULL;
	const char *from = old->backend->desc.name;
	char why[CENALLOC_REASON_MAX], *text;
	void *src = NULL, *dst = NULL;
	u64 t0 = ktime_get_ns(), t_alloc = 0, ns;
	bool notify, quiesced = false;
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (cenalloc_move_blocker(buf, late, &notify, why, sizeof(why))) {
		ret = -EBUSY;
		cenalloc_decide(buf, ret,
				"refused %s: %s memory unsuitable (%s), cannot move: %s",
				late->name, from, unfit, why);
		goto out;
	}

	/* The copy writes every byte: clearing the pages first is waste. */
	ret = cenalloc_backing_alloc(buf, CENALLOC_OVERWRITTEN, &new, NULL, why,
				     sizeof(why));
	if (ret)
		goto fail;
	t_alloc = ktime_get_ns() - t0;
	if (notify) {
		ret = cenalloc_quiesce(buf, why, sizeof(why));
		if (ret)
			goto fail;
		quiesced = true;
	}

	src = cenalloc_backing_vmap(old);
	dst = cenalloc_backing_vmap(new);
	if (!src || !dst) {
		ret = -ENOMEM;
		strscpy(why, "no vmalloc space to copy through", sizeof(why));
		goto fail;
	}

	/*
	 * After this no CPU writes the old pages through a user mapping:
	 * the next access faults and waits for the lock we hold.
	 */
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
	if (cenalloc_should_fail(CENALLOC_FAIL_COPY)) {
		/* What a copy that could fail would have to undo. */
		ret = -EIO;
		strscpy(why, "copy failure injected", sizeof(why));
		goto fail;
	}
	cenalloc_copy(dst, src, buf->size);
	vunmap(dst);
	vunmap(src);

	buf->backing = new;
	if (old->maps)
		list_add_tail(&old->retired, &buf->retired);
	else
		cenalloc_backing_free(old);
	ns = ktime_get_ns() - t0;
	buf->migrations++;
	buf->migrated_bytes += buf->size;
	buf->migration_ns = ns;
	text = cenalloc_reason_slot(&buf->migration_reason);
	if (text)
		snprintf(text, CENALLOC_REASON_MAX,
			 "%llu bytes from %s (%s) to %s, %u run(s), in %llu us (%llu allocating)",
			 buf->size, from, unfit, new->backend->desc.name,
			 new->nr_runs, div_u64(ns, NSEC_PER_USEC),
			 div_u64(t_alloc, NSEC_PER_USEC));
	cenalloc_decide(buf, 0, "attached %s after moving %s", late->name,
			text ?: "the buffer");
	trace_cenalloc_migrate(buf->id, from, new->backend->desc.name,
			       buf->size, 0, ns);
	return 0;

fail:
	if (dst)
		vunmap(dst);
	if (src)
		vunmap(src);
	if (new)
		cenalloc_backing_free(new);
	/* Dynamic importers may map the old backing again: hand it back. */
	if (quiesced)
		cenalloc_sync_mappings(buf, old, false);
	cenalloc_decide(buf, ret,
			"refused %s: %s memory unsuitable (%s), moving failed: %s",
			late->name, from, unfit, why);
out:
	trace_cenalloc_migrate(buf->id, from, "", buf->size, ret,
			       ktime_get_ns() - t0);
	return ret;
}
