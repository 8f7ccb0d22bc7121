// SPDX-License-Identifier: GPL-2.0
/*
 * Scarce memory, per user.  Physically contiguous pages, CMA, the
 * carveout and the low zones (below a 32-bit device's reach) are memory
 * the whole system shares and few can use instead; without a bound any
 * local user with access to the device nodes could take all of it with
 * one hint.  Each creator's user has a record here; every backing of such
 * memory is charged to the record of the buffer's creator until it is
 * freed, whoever caused the allocation.
 *
 * The bound is the creator's RLIMIT_MEMLOCK, read when the buffer is
 * created, and the creator's CAP_IPC_LOCK lifts it (asked only when a
 * charge would pass the limit, as mlock() does): the limit administrators
 * already set for memory a user may keep from the rest of the system
 * (mlock, io_uring, RDMA), configured with limits.conf or systemd's
 * LimitMEMLOCK=.  Ordinary memory is bounded by the memory cgroup instead
 * (every page is charged to the creator's).  A buffer looks its creator's
 * record up at its first charge: most buffers never take scarce memory,
 * and creating one stays as cheap as the system heap's.  The records are
 * cenalloc's own rather than user_struct->locked_vm, which not every
 * kernel configuration has.
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "cenalloc_internal.h"

/**
 * struct cenalloc_quota - one user's scarce memory.
 * @uid: the user, in the initial namespace.
 * @bytes: scarce memory its buffers hold.
 * @ref: the user's buffers alive that have charged it (or tried).
 */
struct cenalloc_quota {
	kuid_t uid;
	atomic64_t bytes;
	refcount_t ref;
};

/* Records by uid; cenalloc_users_lock serialises lookup, insert, erase. */
static DEFINE_XARRAY(cenalloc_users);
static DEFINE_MUTEX(cenalloc_users_lock);

/**
 * cenalloc_quota_get() - a user's record, made on first use.
 * @uid: the user (a buffer's creator).
 *
 * Return: a reference to the record, or NULL without memory.
 */
struct cenalloc_quota *cenalloc_quota_get(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct cenalloc_quota *q;

	mutex_lock(&cenalloc_users_lock);
	q = xa_load(&cenalloc_users, key);
	if (q) {
		refcount_inc(&q->ref);
		goto out;
	}
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		goto out;
	q->uid = uid;
	refcount_set(&q->ref, 1);
	if (xa_err(xa_store(&cenalloc_users, key, q, GFP_KERNEL))) {
		kfree(q);
		q = NULL;
	}
out:
	mutex_unlock(&cenalloc_users_lock);
	return q;
}

/**
 * cenalloc_quota_put() - drop a buffer's reference to its creator's record.
 * @q: the record, or NULL.
 */
void cenalloc_quota_put(struct cenalloc_quota *q)
{
	if (!q)
		return;
	mutex_lock(&cenalloc_users_lock);
	if (refcount_dec_and_test(&q->ref)) {
		/* Every backing is freed before its buffer: nothing charged. */
		WARN_ON(atomic64_read(&q->bytes));
		xa_erase(&cenalloc_users, from_kuid(&init_user_ns, q->uid));
		kfree(q);
	}
	mutex_unlock(&cenalloc_users_lock);
}

/**
 * cenalloc_quota_charge() - charge scarce memory to a user, within a limit.
 * @q: the creator's record.
 * @limit: bytes the creator may hold in all; U64_MAX for no limit.
 * @bytes: the amount to charge.
 * @why: on failure, why, in words.
 * @len: size of @why.
 *
 * Return: 0, or -EDQUOT when the charge would pass @limit (nothing
 * charged then).
 */
int cenalloc_quota_charge(struct cenalloc_quota *q, u64 limit, u64 bytes,
			  char *why, size_t len)
{
	s64 held = atomic64_read(&q->bytes);

	do {
		if (limit != U64_MAX && (u64)held + bytes > limit) {
			snprintf(why, len,
				 "uid %u holds %lld bytes of contiguous or low memory, RLIMIT_MEMLOCK allows %llu",
				 from_kuid(&init_user_ns, q->uid), held, limit);
			return -EDQUOT;
		}
	} while (!atomic64_try_cmpxchg(&q->bytes, &held, held + bytes));
	return 0;
}

/**
 * cenalloc_quota_uncharge() - give back what cenalloc_quota_charge() took.
 * @q: the record (NULL when nothing was charged).
 * @bytes: the amount charged, may be 0.
 */
void cenalloc_quota_uncharge(struct cenalloc_quota *q, u64 bytes)
{
	if (q && bytes)
		WARN_ON(atomic64_sub_return(bytes, &q->bytes) < 0);
}

/**
 * cenalloc_quota_show() - every user's scarce memory, for debugfs.
 * @s: the seq_file.
 */
void cenalloc_quota_show(struct seq_file *s)
{
	struct cenalloc_quota *q;
	unsigned long key;

	mutex_lock(&cenalloc_users_lock);
	xa_for_each(&cenalloc_users, key, q)
		seq_printf(s, "uid %lu scarce_bytes %lld buffers %u\n", key,
			   atomic64_read(&q->bytes), refcount_read(&q->ref));
	mutex_unlock(&cenalloc_users_lock);
}
