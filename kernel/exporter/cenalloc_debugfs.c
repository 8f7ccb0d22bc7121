// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/cenalloc/: buffers (members, constraints with their
 * sources, the last decision), backends (usage counters) and devices
 * (driver declarations and profiles), users (scarce memory each user's
 * buffers hold); inject_migration_failure, a test
 * knob: CENALLOC_INJECT_* bits that make every migration fail at that
 * step while set.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "cenalloc_internal.h"

static struct dentry *cenalloc_dir;

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
	debugfs_create_x32("inject_migration_failure", 0600, cenalloc_dir,
			   &cenalloc_inject_migration);
}

void cenalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(cenalloc_dir);
}
