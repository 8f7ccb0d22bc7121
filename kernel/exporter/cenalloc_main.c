// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: a dma-buf exporter that allocates late, for every device that
 * attached.  This file holds the module, /dev/cenalloc and its ioctls;
 * /dev/dma_heap/cenalloc is cenalloc_heap_misc.c's or, where the kernel has
 * real heaps, cenalloc_heap_provider.c's.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cenalloc_compat.h"
#include "cenalloc_internal.h"

#define CREATE_TRACE_POINTS
#include "cenalloc_trace.h"

bool cenalloc_relax_default;
module_param_named(relax_default, cenalloc_relax_default, bool, 0644);
MODULE_PARM_DESC(relax_default,
		 "Assume undeclared devices without an IOMMU can scatter (default: no, they get contiguous memory)");

/*
 * Where contiguous chunks go first (cen_solution_anticipate()): 32-bit
 * DMA is the address limit camera and display blocks most often have, and
 * such a device attaching after the buffer was mapped can only be served
 * by memory already in its reach.
 */
unsigned long long cenalloc_anticipate_limit = DMA_BIT_MASK(32);
module_param_named(anticipate_limit, cenalloc_anticipate_limit, ullong, 0644);
MODULE_PARM_DESC(anticipate_limit,
		 "Place contiguous buffers at or below this address when they fit there, for devices that may attach later (default 0xffffffff; 0: off)");

static unsigned int size_limit_mb;
module_param(size_limit_mb, uint, 0644);
MODULE_PARM_DESC(size_limit_mb,
		 "Largest buffer in MiB (default 0: the size of memory, which is also the upper bound)");

/**
 * cenalloc_size_limit() - the largest buffer CREATE and ALLOC accept.
 *
 * Return: bytes: the machine's memory, or size_limit_mb when smaller.
 */
u64 cenalloc_size_limit(void)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	u64 param = (u64)READ_ONCE(size_limit_mb) << 20;

	return param ? min(ram, param) : ram;
}

/* Guards cenalloc_buffers; see cenalloc_internal.h for the lock order. */
DEFINE_MUTEX(cenalloc_buffers_lock);
LIST_HEAD(cenalloc_buffers);

#define CENALLOC_FEATURES	(CENALLOC_FEAT_HINTS | CENALLOC_FEAT_PROFILES | \
				 CENALLOC_FEAT_DMA_HEAP | \
				 CENALLOC_FEAT_DRIVER_API | \
				 CENALLOC_FEAT_MIGRATION)

/*
 * Copy an argument struct in.  The size encoded in the ioctl number is the
 * caller's idea of the struct; copy_struct_from_user() zero-extends older
 * structs and refuses newer ones whose extra bytes are not zero.
 */
static int cenalloc_arg_in(void *k, size_t ksize, unsigned int cmd,
			   unsigned long arg)
{
	size_t usize = _IOC_SIZE(cmd);
	u32 argsz;
	int ret;

	if (usize < 2 * sizeof(u32))
		return -EINVAL;
	ret = copy_struct_from_user(k, ksize, (void __user *)arg, usize);
	if (ret)
		return ret;
	memcpy(&argsz, k, sizeof(argsz));
	return argsz == usize ? 0 : -EINVAL;
}

static int cenalloc_arg_out(unsigned long arg, const void *k, size_t ksize,
			    unsigned int cmd)
{
	size_t n = min_t(size_t, _IOC_SIZE(cmd), ksize);

	return copy_to_user((void __user *)arg, k, n) ? -EFAULT : 0;
}

static bool cenalloc_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool cenalloc_str_ok(const char *s, size_t len)
{
	return strnlen(s, len) < len;
}

/* Input constraints: known bits, outputs and reserved zero, sane values. */
static int cenalloc_check_uc(const struct cenalloc_constraints *u)
{
	struct cen_constraints c;

	if (u->valid & ~CENALLOC_C_ALL || u->reserved ||
	    !cenalloc_zero(u->src, sizeof(u->src)) ||
	    !cenalloc_zero(u->origin, sizeof(u->origin)))
		return -EINVAL;
	if ((u->valid & CENALLOC_C_IOMMU) && u->iommu > 1)
		return -EINVAL;
	if ((u->valid & CENALLOC_C_COHERENCY) &&
	    u->coherency > CENALLOC_COH_UNCACHED)
		return -EINVAL;
	cenalloc_uapi_to_constraints(u, CEN_SRC_HINT, &c);
	return cen_constraints_validate(&c, NULL);
}

/* Copy an array of @n entries of @esize bytes to user as entries of ours. */
static int cenalloc_copy_entries(u64 uptr, u32 esize, const void *src,
				 size_t ksize, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		void __user *dst = u64_to_user_ptr(uptr + (u64)i * esize);

		if (copy_to_user(dst, src + i * ksize, min_t(size_t, esize,
							     ksize)))
			return -EFAULT;
		if (esize > ksize && clear_user(dst + ksize, esize - ksize))
			return -EFAULT;
	}
	return 0;
}

static long cenalloc_ioc_query(unsigned int cmd, unsigned long arg)
{
	struct cenalloc_backend_info *info;
	struct cen_backend_desc *descs;
	struct cenalloc_query q;
	bool admin;
	u32 n, i;
	int ret;

	ret = cenalloc_arg_in(&q, sizeof(q), cmd, arg);
	if (ret)
		return ret;
	if (q.flags || q.reserved0 || !cenalloc_zero(q.reserved,
						     sizeof(q.reserved)) ||
	    q.abi_version || q.nr_backends || q.features || q.page_size)
		return -EINVAL;
	if (q.backends_ptr && (!q.backend_entry_size ||
			       q.backend_entry_size > PAGE_SIZE))
		return -EINVAL;

	descs = kcalloc(CEN_MAX_BACKENDS, sizeof(*descs), GFP_KERNEL);
	if (!descs)
		return -ENOMEM;
	cenalloc_backend_descs(descs, &n);
	admin = capable(CAP_SYS_ADMIN);
	info = kcalloc(n, sizeof(*info), GFP_KERNEL);
	if (!info) {
		kfree(descs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct cenalloc_backend *be = cenalloc_backend_get(i);
		/* A carveout's physical place is the administrator's. */
		bool addrs = admin || descs[i].addr_hi == U64_MAX;

		strscpy(info[i].name, descs[i].name, sizeof(info[i].name));
		info[i].kind = descs[i].kind;
		info[i].cost_rank = descs[i].cost_rank;
		info[i].max_chunk = descs[i].max_chunk;
		info[i].max_align = descs[i].max_align;
		info[i].addr_lo = addrs ? descs[i].addr_lo : 0;
		info[i].addr_hi = addrs ? descs[i].addr_hi : 0;
		info[i].lowest_limit = addrs ? descs[i].lowest_limit : 0;
		info[i].free_bytes = descs[i].free_bytes;
		info[i].used_bytes = atomic64_read(&be->used);
		info[i].allocations = atomic64_read(&be->allocations);
		info[i].failures = atomic64_read(&be->failures);
	}
	if (q.backends_ptr)
		ret = cenalloc_copy_entries(q.backends_ptr,
					    q.backend_entry_size, info,
					    sizeof(*info),
					    min(n, q.backends_cap));
	kfree(info);
	kfree(descs);
	if (ret)
		return ret;
	q.abi_version = CENALLOC_ABI_VERSION;
	q.nr_backends = n;
	q.features = CENALLOC_FEATURES;
	if (CENALLOC_MOVE_NOTIFY)
		q.features |= CENALLOC_FEAT_MOVE_NOTIFY;
	q.page_size = PAGE_SIZE;
	return cenalloc_arg_out(arg, &q, sizeof(q), cmd);
}

static void cenalloc_free_members(struct list_head *list)
{
	struct cenalloc_member *m, *tmp;

	list_for_each_entry_safe(m, tmp, list, node) {
		list_del(&m->node);
		kfree(m);
	}
}

static int cenalloc_read_hints(const struct cenalloc_create *c,
			       struct list_head *list)
{
	struct cenalloc_hint h;
	char reason[CENALLOC_REASON_MAX];
	u32 i;
	int ret;

	for (i = 0; i < c->nr_hints; i++) {
		struct cenalloc_member *m;

		ret = copy_struct_from_user(&h, sizeof(h),
					    u64_to_user_ptr(c->hints_ptr +
						(u64)i * c->hint_entry_size),
					    c->hint_entry_size);
		if (ret)
			return ret;
		if (h.flags & ~CENALLOC_HINT_CONSTRAINTS || h.reserved0 ||
		    !cenalloc_str_ok(h.device, sizeof(h.device)))
			return -EINVAL;
		if (!(h.flags & CENALLOC_HINT_CONSTRAINTS) && !h.device[0])
			return -EINVAL;
		if (h.flags & CENALLOC_HINT_CONSTRAINTS) {
			ret = cenalloc_check_uc(&h.c);
			if (ret)
				return ret;
		} else if (!cenalloc_zero(&h.c, sizeof(h.c))) {
			return -EINVAL;
		}
		m = cenalloc_member_alloc();
		if (!m)
			return -ENOMEM;
		ret = cenalloc_resolve_hint(&h, m, reason, sizeof(reason));
		if (ret) {
			/* The reason names the device the user gave. */
			pr_info_ratelimited("cenalloc: %*pE\n",
					    (int)strlen(reason), reason);
			kfree(m);
			return ret;
		}
		list_add_tail(&m->node, list);
	}
	return 0;
}

/**
 * cenalloc_create_fd() - a new buffer and an fd for it, for an ioctl.
 * @len: bytes.
 * @flags: CENALLOC_CREATE_*.
 * @fd_flags: flags of the dma-buf's file, already checked.
 * @name: the buffer's name, NULL for a dma-heap allocation
 *	(cenalloc_buffer_create()).
 * @hints: members from creation hints (taken over on success).
 * @nr_hints: entries in @hints.
 * @k: the ioctl's struct in kernel memory, written back by @out.
 * @ksize: its size.
 * @cmd: the ioctl command.
 * @arg: the ioctl's user pointer.
 * @fd_out: where in @k the new fd goes.
 * @id_out: where in @k the buffer id goes, or NULL.
 * @out: copies @k back to @arg.
 *
 * The fd is installed only once @out succeeded: a caller that cannot be
 * told its descriptor does not get one.
 *
 * Return: 0 or a negative errno; on error nothing was created.
 */
long cenalloc_create_fd(u64 len, u32 flags, u32 fd_flags, const char *name,
			struct list_head *hints, u32 nr_hints,
			void *k, size_t ksize, unsigned int cmd,
			unsigned long arg, s32 *fd_out, u64 *id_out,
			int (*out)(unsigned long, const void *, size_t,
				   unsigned int))
{
	struct dma_buf *dmabuf;
	int fd, ret;

	dmabuf = cenalloc_buffer_create(len, flags, fd_flags, name, hints,
					nr_hints);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	*fd_out = fd;
	if (id_out)
		*id_out = cenalloc_buffer_from_dmabuf(dmabuf)->id;
	ret = out(arg, k, ksize, cmd);
	if (ret) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return ret;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

static long cenalloc_ioc_create(unsigned int cmd, unsigned long arg)
{
	struct cenalloc_create c;
	LIST_HEAD(hints);
	long ret;

	/* A struct that ends before @fd could not be told its descriptor. */
	if (_IOC_SIZE(cmd) < offsetofend(struct cenalloc_create, fd))
		return -EINVAL;
	ret = cenalloc_arg_in(&c, sizeof(c), cmd, arg);
	if (ret)
		return ret;
	if ((c.flags & ~CENALLOC_CREATE_DYNAMIC) || c.fd || c.id ||
	    !cenalloc_zero(c.reserved, sizeof(c.reserved)))
		return -EINVAL;
	if ((c.flags & CENALLOC_CREATE_DYNAMIC) &&
	    !CENALLOC_MOVE_NOTIFY) {
		pr_info_ratelimited("cenalloc: dynamic buffers need a kernel with CONFIG_DMABUF_MOVE_NOTIFY\n");
		return -EOPNOTSUPP;
	}
	if (c.fd_flags & ~(O_ACCMODE | O_CLOEXEC) ||
	    (c.fd_flags & O_ACCMODE) == O_WRONLY ||
	    (c.fd_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if (!c.len || !cenalloc_str_ok(c.name, sizeof(c.name)))
		return -EINVAL;
	if (c.nr_hints > CENALLOC_MAX_HINTS ||
	    (c.nr_hints && (!c.hints_ptr || !c.hint_entry_size ||
			    c.hint_entry_size > PAGE_SIZE)) ||
	    (!c.nr_hints && (c.hints_ptr || c.hint_entry_size)))
		return -EINVAL;

	ret = cenalloc_read_hints(&c, &hints);
	if (!ret)
		ret = cenalloc_create_fd(c.len, c.flags, c.fd_flags, c.name,
					 &hints, c.nr_hints, &c, sizeof(c),
					 cmd, arg, &c.fd, &c.id,
					 cenalloc_arg_out);
	cenalloc_free_members(&hints);
	return ret;
}

static void cenalloc_fill_info(struct cenalloc_buffer *buf,
			       struct cenalloc_info *info,
			       struct cenalloc_attach_info *att, u32 cap)
{
	struct cenalloc_member *m;
	const char *reason;
	u32 i = 0;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	info->state = buf->backing ? CENALLOC_STATE_BACKED :
		      CENALLOC_STATE_EMPTY;
	info->id = buf->id;
	info->len = buf->size;
	/* The dma-buf's name: the one given at CREATE or DMA_BUF_SET_NAME. */
	spin_lock(&buf->dmabuf->name_lock);
	strscpy(info->name, buf->dmabuf->name ?: "", sizeof(info->name));
	spin_unlock(&buf->dmabuf->name_lock);
	if (buf->backing) {
		strscpy(info->backend, buf->backing->backend->desc.name,
			sizeof(info->backend));
		info->nr_segments = buf->backing->nr_runs;
	}
	cenalloc_constraints_to_uapi(&buf->merged, &info->merged);
	info->migrations = buf->migrations;
	info->nr_attach = buf->nr_members;
	info->last_error = buf->last_error;
	reason = cenalloc_last_reason(buf, info->reason, sizeof(info->reason));
	if (reason != info->reason)
		strscpy(info->reason, reason, sizeof(info->reason));
	/* Cut, NUL-terminated, for callers that know only this field. */
	strscpy(info->last_reason, info->reason, sizeof(info->last_reason));
	info->migrated_bytes = buf->migrated_bytes;
	info->migration_ns = buf->migration_ns;
	if (buf->migration_reason)
		strscpy(info->migration_reason, buf->migration_reason,
			sizeof(info->migration_reason));
	list_for_each_entry(m, &buf->members, node) {
		if (i >= cap)
			break;
		strscpy(att[i].device, m->name, sizeof(att[i].device));
		strscpy(att[i].driver, m->driver, sizeof(att[i].driver));
		att[i].flags = cenalloc_member_flags(buf, m);
		att[i].nr_segments = cenalloc_member_segments(buf, m);
		cenalloc_constraints_to_uapi(&m->c, &att[i].c);
		i++;
	}
	dma_resv_unlock(buf->dmabuf->resv);
}

static long cenalloc_ioc_info(unsigned int cmd, unsigned long arg)
{
	struct cenalloc_attach_info *att = NULL;
	struct cenalloc_buffer *buf, *it;
	struct cenalloc_info info;
	struct dma_buf *dmabuf;
	u32 cap;
	long ret;

	ret = cenalloc_arg_in(&info, sizeof(info), cmd, arg);
	if (ret)
		return ret;
	if (info.flags & ~CENALLOC_INFO_BY_ID ||
	    !cenalloc_zero(info.reserved, sizeof(info.reserved)) ||
	    info.state || info.len || info.nr_segments || info.migrations ||
	    info.nr_attach || info.last_error || info.name[0] ||
	    info.backend[0] || info.last_reason[0] ||
	    info.migrated_bytes || info.migration_ns ||
	    info.reason[0] || info.migration_reason[0] ||
	    !cenalloc_zero(&info.merged, sizeof(info.merged)))
		return -EINVAL;
	if ((info.flags & CENALLOC_INFO_BY_ID) ? info.fd != 0 : info.id != 0)
		return -EINVAL;
	if (info.attach_ptr && (!info.attach_entry_size ||
				info.attach_entry_size > PAGE_SIZE))
		return -EINVAL;
	cap = info.attach_ptr ? min_t(u32, info.attach_cap,
				      CENALLOC_MAX_MEMBERS) : 0;
	if (cap) {
		att = kcalloc(cap, sizeof(*att), GFP_KERNEL);
		if (!att)
			return -ENOMEM;
	}

	if (info.flags & CENALLOC_INFO_BY_ID) {
		ret = -EPERM;
		if (!capable(CAP_SYS_ADMIN))
			goto out;
		/* Release unlinks under this lock before it frees. */
		ret = -ENOENT;
		mutex_lock(&cenalloc_buffers_lock);
		list_for_each_entry(it, &cenalloc_buffers, node) {
			if (it->id == info.id) {
				cenalloc_fill_info(it, &info, att, cap);
				ret = 0;
				break;
			}
		}
		mutex_unlock(&cenalloc_buffers_lock);
	} else {
		dmabuf = dma_buf_get(info.fd);
		ret = IS_ERR(dmabuf) ? PTR_ERR(dmabuf) : -EINVAL;
		if (IS_ERR(dmabuf))
			goto out;
		buf = cenalloc_buffer_from_dmabuf(dmabuf);
		if (buf) {
			cenalloc_fill_info(buf, &info, att, cap);
			ret = 0;
		}
		dma_buf_put(dmabuf);
	}
	if (ret)
		goto out;
	if (cap)
		ret = cenalloc_copy_entries(info.attach_ptr,
					    info.attach_entry_size, att,
					    sizeof(*att),
					    min(cap, info.nr_attach));
	if (!ret)
		ret = cenalloc_arg_out(arg, &info, sizeof(info), cmd);
out:
	kfree(att);
	return ret;
}

static long cenalloc_ioc_profile(unsigned int cmd, unsigned long arg,
				 bool set)
{
	const u32 match = CENALLOC_MATCH_NAME | CENALLOC_MATCH_DRIVER |
			  CENALLOC_MATCH_BUS;
	struct cenalloc_profile p;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = cenalloc_arg_in(&p, sizeof(p), cmd, arg);
	if (ret)
		return ret;
	if (!cenalloc_zero(p.reserved, sizeof(p.reserved)) ||
	    !cenalloc_str_ok(p.device, sizeof(p.device)) ||
	    !cenalloc_str_ok(p.driver, sizeof(p.driver)) ||
	    !cenalloc_str_ok(p.bus, sizeof(p.bus)))
		return -EINVAL;
	if (p.flags & ~(match | (set ? 0 : CENALLOC_PROFILE_CLEAR_ALL)))
		return -EINVAL;
	if (p.flags & CENALLOC_PROFILE_CLEAR_ALL) {
		if (p.flags != CENALLOC_PROFILE_CLEAR_ALL || p.device[0] ||
		    p.driver[0] || p.bus[0])
			return -EINVAL;
	} else if (!(p.flags & match) ||
		   !!(p.flags & CENALLOC_MATCH_NAME) != !!p.device[0] ||
		   !!(p.flags & CENALLOC_MATCH_DRIVER) != !!p.driver[0] ||
		   !!(p.flags & CENALLOC_MATCH_BUS) != !!p.bus[0]) {
		/* Every key named by a flag is given, and only those. */
		return -EINVAL;
	}
	if (!set)
		return cenalloc_zero(&p.c, sizeof(p.c)) ?
		       cenalloc_profile_clear(&p) : -EINVAL;
	ret = cenalloc_check_uc(&p.c);
	if (ret)
		return ret;
	return cenalloc_profile_set(&p);
}

static long cenalloc_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	static const unsigned int cmds[] = {
		CENALLOC_IOC_QUERY, CENALLOC_IOC_CREATE, CENALLOC_IOC_INFO,
		CENALLOC_IOC_PROFILE_SET, CENALLOC_IOC_PROFILE_CLEAR,
	};
	unsigned int nr = _IOC_NR(cmd);
	unsigned int known;

	if (_IOC_TYPE(cmd) != CENALLOC_IOC_MAGIC || nr >= ARRAY_SIZE(cmds))
		return -ENOTTY;
	known = cmds[array_index_nospec(nr, ARRAY_SIZE(cmds))];
	if (_IOC_DIR(cmd) != _IOC_DIR(known))
		return -ENOTTY;
	switch (nr) {
	case _IOC_NR(CENALLOC_IOC_QUERY):
		return cenalloc_ioc_query(cmd, arg);
	case _IOC_NR(CENALLOC_IOC_CREATE):
		return cenalloc_ioc_create(cmd, arg);
	case _IOC_NR(CENALLOC_IOC_INFO):
		return cenalloc_ioc_info(cmd, arg);
	case _IOC_NR(CENALLOC_IOC_PROFILE_SET):
		return cenalloc_ioc_profile(cmd, arg, true);
	default:
		return cenalloc_ioc_profile(cmd, arg, false);
	}
}

static const struct file_operations cenalloc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = cenalloc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * Root only, like the dma-heap nodes: who else may allocate is the
 * system's decision, made with a udev rule (docs/security.md).
 */
#define CENALLOC_NODE_MODE	0600

static struct miscdevice cenalloc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cenalloc",
	.fops = &cenalloc_fops,
	.mode = CENALLOC_NODE_MODE,
};

static int __init cenalloc_init(void)
{
	int ret;

	ret = cenalloc_backends_init();
	if (ret)
		return ret;
	ret = misc_register(&cenalloc_misc);
	if (ret)
		goto err_backends;
	ret = cenalloc_heap_face_init();
	if (ret)
		goto err_misc;
	cenalloc_debugfs_init();
	return 0;

err_misc:
	misc_deregister(&cenalloc_misc);
err_backends:
	cenalloc_backends_exit();
	return ret;
}

/* Every buffer holds a module reference, so none is alive here. */
static void __exit cenalloc_exit(void)
{
	cenalloc_debugfs_exit();
	cenalloc_heap_face_exit();
	misc_deregister(&cenalloc_misc);
	cenalloc_sources_exit();
	cenalloc_backends_exit();
}

module_init(cenalloc_init);
module_exit(cenalloc_exit);

MODULE_DESCRIPTION("dma-buf exporter with delayed, constraint-solved allocation");
MODULE_LICENSE("GPL");
CENALLOC_IMPORT_NS(DMA_BUF);
