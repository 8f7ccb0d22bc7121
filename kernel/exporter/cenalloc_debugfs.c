// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/cenalloc/: buffers (members, constraints with their
 * sources, the last decision), backends (usage counters) and devices
 * (driver declarations and profiles), users (scarce memory each user's
 * buffers hold); fail/ and fail_sites, fault injection for tests.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "cenalloc_compat.h"
#include "cenalloc_internal.h"

static struct dentry *cenalloc_dir;

/*
 * Fault injection at cenalloc's own allocation points, with the kernel's
 * fault attributes (fail/: probability, times, task-filter, ... see
 * Documentation/fault-injection) and a mask of the sites they apply to.
 * Only kernels with CONFIG_FAULT_INJECTION_DEBUG_FS have fail/.
 */
static CENALLOC_FAULT_ATTR(cenalloc_fail_attr);
static u32 cenalloc_fail_sites;

/**
 * cenalloc_should_fail() - should this allocation fail, for a test?
 * @site: CENALLOC_FAIL_* of the caller.
 *
 * Return: true when @site is in fail_sites and the fault attributes say
 * this call fails.
 */
bool cenalloc_should_fail(u32 site)
{
	return (READ_ONCE(cenalloc_fail_sites) & site) &&
	       cenalloc_fault_fires(&cenalloc_fail_attr);
}

static int cenalloc_buffers_show(struct seq_file *s, void *unused)
{
	struct cenalloc_buffer *buf;

	mutex_lock(&cenalloc_buffers_lock);
	list_for_each_entry(buf, &cenalloc_buffers, node)
		cenalloc_buffer_show(s, buf);
	mutex_unlock(&cenalloc_buffers_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_buffers);

static int cenalloc_backends_show(struct seq_file *s, void *unused)
{
	u32 i;

	for (i = 0; i < cenalloc_backend_count(); i++) {
		struct cenalloc_backend *be = cenalloc_backend_get(i);

		seq_printf(s, "%-8s kind=%s rank=%u max_chunk=0x%llx free=%llu used=%lld allocations=%lld failures=%lld\n",
			   be->desc.name,
			   be->desc.kind == CEN_BK_SCATTER ? "scatter" : "contig",
			   be->desc.cost_rank, be->desc.max_chunk,
			   be->free_bytes(be), atomic64_read(&be->used),
			   atomic64_read(&be->allocations),
			   atomic64_read(&be->failures));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_backends);

static int cenalloc_devices_show(struct seq_file *s, void *unused)
{
	cenalloc_sources_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_devices);

static int cenalloc_users_show(struct seq_file *s, void *unused)
{
	cenalloc_quota_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_users);

/**
 * cenalloc_debugfs_init() - create /sys/kernel/debug/cenalloc/.
 *
 * Without debugfs the files are simply not there.
 */
void cenalloc_debugfs_init(void)
{
	cenalloc_dir = debugfs_create_dir("cenalloc", NULL);
	debugfs_create_file("buffers", 0400, cenalloc_dir, NULL,
			    &cenalloc_buffers_fops);
	debugfs_create_file("backends", 0400, cenalloc_dir, NULL,
			    &cenalloc_backends_fops);
	debugfs_create_file("devices", 0400, cenalloc_dir, NULL,
			    &cenalloc_devices_fops);
	debugfs_create_file("users", 0400, cenalloc_dir, NULL,
			    &cenalloc_users_fops);
	debugfs_create_x32("fail_sites", 0600, cenalloc_dir,
			   &cenalloc_fail_sites);
	cenalloc_fault_debugfs("fail", cenalloc_dir, &cenalloc_fail_attr);
}

/**
 * cenalloc_debugfs_exit() - remove /sys/kernel/debug/cenalloc/.
 */
void cenalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(cenalloc_dir);
}
