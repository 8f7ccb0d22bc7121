// SPDX-License-Identifier: GPL-2.0
/*
 * Where a device's constraints come from, highest priority first: its
 * driver's declaration, a platform profile loaded by userspace, the struct
 * device itself; then the default policy.  Creation hints name devices
 * that have not attached yet.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "cenalloc_api.h"
#include "cenalloc_compat.h"
#include "cenalloc_internal.h"

struct cenalloc_decl {
	struct list_head node;
	struct device *dev;		/* holds a reference */
	struct cen_constraints c;
};

struct cenalloc_prof {
	struct list_head node;
	struct cenalloc_profile p;
	struct cen_constraints c;
};

static DEFINE_MUTEX(cenalloc_decl_lock);
static LIST_HEAD(cenalloc_decls);
static DEFINE_MUTEX(cenalloc_prof_lock);
static LIST_HEAD(cenalloc_profs);

static const enum cen_field cenalloc_field_of_bit[CENALLOC_C_NR_FIELDS] = {
	CEN_F_ADDR_LIMIT, CEN_F_MAX_SEGMENTS, CEN_F_MAX_SEG_SIZE,
	CEN_F_SEG_BOUNDARY, CEN_F_ALIGN, CEN_F_IOMMU, CEN_F_COHERENCY,
};

/**
 * cenalloc_uapi_to_constraints() - the model's form of ABI constraints.
 * @u: the constraints as userspace gave them, already validated.
 * @src: the source to record for every field @u sets.
 * @c: the result: the fields @u marks valid, the others unset.
 */
void cenalloc_uapi_to_constraints(const struct cenalloc_constraints *u,
				  enum cen_source src,
				  struct cen_constraints *c)
{
	/* Every value as given; only the valid ones are kept, with @src. */
	const struct cen_constraints given = {
		.addr_limit = u->addr_limit,
		.max_seg_size = u->max_seg_size,
		.seg_boundary_mask = u->seg_boundary_mask,
		.align = u->align,
		.max_segments = u->max_segments,
		.iommu = u->iommu,
		.coherency = u->coherency,
	};
	int b;

	cen_constraints_init(c);
	for (b = 0; b < CENALLOC_C_NR_FIELDS; b++) {
		enum cen_field f = cenalloc_field_of_bit[b];

		if (u->valid & (1U << b))
			cen_constraints_set(c, f, cen_constraints_get(&given, f),
					    src);
	}
}

/**
 * cenalloc_constraints_to_uapi() - the ABI's form of a constraint set.
 * @c: the constraints, with sources and origins.
 * @u: the result: the fields somebody set, with their source and
 *	origin; the others zero, as the ABI says.
 */
void cenalloc_constraints_to_uapi(const struct cen_constraints *c,
				  struct cenalloc_constraints *u)
{
	struct cen_constraints kept;
	int b;

	/* A field nobody set is zero, as the ABI says, not a default. */
	memset(&kept, 0, sizeof(kept));
	memset(u, 0, sizeof(*u));
	for (b = 0; b < 8; b++)
		u->origin[b] = CEN_ORIGIN_NONE;
	for (b = 0; b < CENALLOC_C_NR_FIELDS; b++) {
		enum cen_field f = cenalloc_field_of_bit[b];

		if (c->src[f] == CEN_SRC_NONE)
			continue;
		cen_constraints_set(&kept, f, cen_constraints_get(c, f),
				    c->src[f]);
		u->valid |= 1U << b;
		u->src[b] = c->src[f];
		u->origin[b] = c->origin[f];
	}
	u->addr_limit = kept.addr_limit;
	u->max_seg_size = kept.max_seg_size;
	u->seg_boundary_mask = kept.seg_boundary_mask;
	u->align = kept.align;
	u->max_segments = kept.max_segments;
	u->iommu = kept.iommu;
	u->coherency = kept.coherency;
}

static void cenalloc_decl_drop_locked(struct device *dev)
{
	struct cenalloc_decl *it;

	lockdep_assert_held(&cenalloc_decl_lock);
	list_for_each_entry(it, &cenalloc_decls, node) {
		if (it->dev == dev) {
			list_del(&it->node);
			put_device(it->dev);
			kfree(it);
			return;
		}
	}
}

/**
 * cenalloc_declare_constraints() - a driver states its device's constraints
 * @dev: the device that will attach to cenalloc buffers
 * @c: its constraints; fields with source CEN_SRC_NONE are left to lower
 *	priority sources (profile, struct device, default policy)
 *
 * Call it from probe, before buffers are attached; a later call replaces
 * the declaration.  Buffers already attached keep what they resolved.
 *
 * Return: 0, -EINVAL if @c is malformed, -ENOMEM.
 */
int cenalloc_declare_constraints(struct device *dev,
				 const struct cen_constraints *c)
{
	struct cenalloc_decl *d;
	int f;

	if (!dev || !c || cen_constraints_validate(c, NULL))
		return -EINVAL;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->c = *c;
	for (f = 0; f < CEN_F_COUNT; f++) {
		d->c.origin[f] = CEN_ORIGIN_NONE;
		if (d->c.src[f] != CEN_SRC_NONE)
			d->c.src[f] = CEN_SRC_DRIVER;
	}
	d->dev = get_device(dev);

	/* Replace in one step: an attach never sees no declaration. */
	mutex_lock(&cenalloc_decl_lock);
	cenalloc_decl_drop_locked(dev);
	list_add(&d->node, &cenalloc_decls);
	mutex_unlock(&cenalloc_decl_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(cenalloc_declare_constraints);

/**
 * cenalloc_forget_constraints() - withdraw a driver's declaration
 * @dev: the device given to cenalloc_declare_constraints()
 *
 * Call it from remove.  Doing nothing when there is no declaration.
 */
void cenalloc_forget_constraints(struct device *dev)
{
	mutex_lock(&cenalloc_decl_lock);
	cenalloc_decl_drop_locked(dev);
	mutex_unlock(&cenalloc_decl_lock);
}
EXPORT_SYMBOL_GPL(cenalloc_forget_constraints);

static bool cenalloc_prof_match(const struct cenalloc_profile *p,
				const char *name, const char *driver,
				const char *bus)
{
	if ((p->flags & CENALLOC_MATCH_NAME) && strcmp(p->device, name))
		return false;
	if ((p->flags & CENALLOC_MATCH_DRIVER) &&
	    (!driver || strcmp(p->driver, driver)))
		return false;
	if ((p->flags & CENALLOC_MATCH_BUS) && (!bus || strcmp(p->bus, bus)))
		return false;
	return true;
}

/* The newest matching profile, copied into @c; false if none. */
static bool cenalloc_prof_find(const char *name, const char *driver,
			       const char *bus, struct cen_constraints *c)
{
	struct cenalloc_prof *it;
	bool found = false;

	mutex_lock(&cenalloc_prof_lock);
	list_for_each_entry(it, &cenalloc_profs, node) {
		if (cenalloc_prof_match(&it->p, name, driver, bus)) {
			*c = it->c;
			found = true;
			break;
		}
	}
	mutex_unlock(&cenalloc_prof_lock);
	return found;
}

static bool cenalloc_decl_find(struct device *dev, struct cen_constraints *c)
{
	struct cenalloc_decl *it;
	bool found = false;

	mutex_lock(&cenalloc_decl_lock);
	list_for_each_entry(it, &cenalloc_decls, node) {
		if (it->dev == dev) {
			*c = it->c;
			found = true;
			break;
		}
	}
	mutex_unlock(&cenalloc_decl_lock);
	return found;
}

static void cenalloc_device_layer(struct device *dev,
				  struct cen_constraints *layer)
{
	struct cen_dev_caps caps = {
		.dma_mask = dev->dma_mask ? *dev->dma_mask : 0,
		.bus_dma_limit = dev->bus_dma_limit,
		.iommu = device_iommu_mapped(dev),
		.coherent = dev_is_dma_coherent(dev),
	};

	/* The explicit values only: dma_get_max_seg_size() invents 64 KiB. */
	if (dev->dma_parms) {
		caps.max_seg_size = dev->dma_parms->max_segment_size;
		caps.seg_boundary_mask = dev->dma_parms->segment_boundary_mask;
	}
	cen_constraints_from_caps(&caps, layer);
}

/* A scatterlist entry holds at most UINT_MAX bytes. */
static void cenalloc_exporter_limits(struct cen_constraints *c)
{
	if (c->max_seg_size > UINT_MAX)
		cen_constraints_set(c, CEN_F_MAX_SEG_SIZE, UINT_MAX,
				    CEN_SRC_DEFAULT);
}

/**
 * cenalloc_resolve_device() - the constraints of a device that attaches.
 * @dev: the importer's device.
 * @c: the result, each field with its source.
 *
 * Its driver's declaration over a profile over the struct device itself,
 * then the default policy for what none of them says.  Takes the
 * declaration and profile mutexes: call it without a resv lock held.
 */
void cenalloc_resolve_device(struct device *dev, struct cen_constraints *c)
{
	struct cen_constraints layer, prof, decl;
	const char *drv = dev->driver ? dev->driver->name : NULL;
	const char *bus = dev->bus ? dev->bus->name : NULL;
	bool has_prof, has_decl;

	cenalloc_device_layer(dev, &layer);
	has_prof = cenalloc_prof_find(dev_name(dev), drv, bus, &prof);
	has_decl = cenalloc_decl_find(dev, &decl);
	cen_resolve(&layer, has_prof ? &prof : NULL, has_decl ? &decl : NULL,
		    cenalloc_relax_default, c);
	cenalloc_exporter_limits(c);
}

static int cenalloc_match_name(struct device *dev, const void *name)
{
	return sysfs_streq(dev_name(dev), name);
}

/* "bus:name" or "name" (platform first, then PCI); a held reference. */
static struct device *cenalloc_find_device(const char *spec)
{
	const struct bus_type *buses[] = { &platform_bus_type,
#ifdef CONFIG_PCI
					   &pci_bus_type,
#endif
	};
	const char *colon = strchr(spec, ':');
	const char *name = spec;
	struct device *dev;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(buses); i++) {
		if (colon) {
			size_t n = colon - spec;

			if (strlen(buses[i]->name) != n ||
			    strncmp(buses[i]->name, spec, n))
				continue;
			name = colon + 1;
		}
		dev = bus_find_device(cenalloc_bus(buses[i]), NULL, name,
				      cenalloc_match_name);
		if (dev)
			return dev;
	}
	return NULL;
}

/**
 * cenalloc_resolve_hint() - the member a creation hint stands for.
 * @h: the hint, validated.
 * @m: the member to fill (name, flags, constraints).
 * @reason: why not, on failure, in words.
 * @len: size of @reason.
 *
 * A hint names a device (present, or described by a profile) and/or
 * gives constraints itself.
 *
 * Return: 0; -ENODEV when the named device is neither present nor in a
 * profile; -EINVAL when its constraints and its device's cannot hold
 * together.
 */
int cenalloc_resolve_hint(const struct cenalloc_hint *h,
			  struct cenalloc_member *m, char *reason, size_t len)
{
	struct cen_constraints prof, hint;
	struct device *dev = NULL;
	int ret;

	m->flags = CENALLOC_ATT_HINT;
	strscpy(m->name, h->device[0] ? h->device : "(hint)", sizeof(m->name));
	cen_constraints_init(&m->c);
	if (h->device[0]) {
		dev = cenalloc_find_device(h->device);
		if (dev) {
			cenalloc_resolve_device(dev, &m->c);
			if (dev->driver)
				strscpy(m->driver, dev->driver->name,
					sizeof(m->driver));
			put_device(dev);
		} else if (cenalloc_prof_find(strchr(h->device, ':') ?
					      strchr(h->device, ':') + 1 :
					      h->device, NULL, NULL, &prof)) {
			/* Known to a profile only: apply it with the policy. */
			cen_resolve(NULL, &prof, NULL, cenalloc_relax_default,
				    &m->c);
			cenalloc_exporter_limits(&m->c);
		} else if (!(h->flags & CENALLOC_HINT_CONSTRAINTS)) {
			snprintf(reason, len,
				 "hint names device '%s', which is neither present nor in a profile",
				 h->device);
			return -ENODEV;
		}
	}
	if (h->flags & CENALLOC_HINT_CONSTRAINTS) {
		cenalloc_uapi_to_constraints(&h->c, CEN_SRC_HINT, &hint);
		ret = cen_constraints_validate(&hint, NULL);
		if (ret) {
			snprintf(reason, len, "hint '%s' has malformed constraints",
				 h->device);
			return ret;
		}
		if (!h->device[0] || (!dev && m->c.src[CEN_F_MAX_SEGMENTS] ==
				      CEN_SRC_NONE))
			m->c = hint;
		else
			cen_merge(&m->c, &hint, 0);
		cenalloc_exporter_limits(&m->c);
	}
	return 0;
}

static bool cenalloc_prof_same_key(const struct cenalloc_profile *a,
				   const struct cenalloc_profile *b)
{
	return a->flags == b->flags && !strcmp(a->device, b->device) &&
	       !strcmp(a->driver, b->driver) && !strcmp(a->bus, b->bus);
}

/**
 * cenalloc_profile_set() - add or replace a platform profile.
 * @p: the profile, validated; replaces one with the same match keys.
 *
 * Devices attaching from now on resolve through it; members already
 * attached keep their constraints.
 *
 * Return: 0 or -ENOMEM.
 */
int cenalloc_profile_set(const struct cenalloc_profile *p)
{
	struct cenalloc_prof *n, *it, *tmp;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->p = *p;
	cenalloc_uapi_to_constraints(&p->c, CEN_SRC_PROFILE, &n->c);
	if (cen_constraints_validate(&n->c, NULL)) {
		kfree(n);
		return -EINVAL;
	}
	mutex_lock(&cenalloc_prof_lock);
	/* Same key: replace. */
	list_for_each_entry_safe(it, tmp, &cenalloc_profs, node) {
		if (cenalloc_prof_same_key(&it->p, p)) {
			list_del(&it->node);
			kfree(it);
		}
	}
	list_add(&n->node, &cenalloc_profs);
	mutex_unlock(&cenalloc_prof_lock);
	return 0;
}

/**
 * cenalloc_profile_clear() - remove a profile, or all of them.
 * @p: the match keys of the profile, or CENALLOC_PROFILE_CLEAR_ALL.
 *
 * Return: 0, or -ENOENT when no profile has these keys.
 */
int cenalloc_profile_clear(const struct cenalloc_profile *p)
{
	struct cenalloc_prof *it, *tmp;
	int ret = -ENOENT;

	mutex_lock(&cenalloc_prof_lock);
	list_for_each_entry_safe(it, tmp, &cenalloc_profs, node) {
		if ((p->flags & CENALLOC_PROFILE_CLEAR_ALL) ||
		    cenalloc_prof_same_key(&it->p, p)) {
			list_del(&it->node);
			kfree(it);
			ret = 0;
		}
	}
	mutex_unlock(&cenalloc_prof_lock);
	if (p->flags & CENALLOC_PROFILE_CLEAR_ALL)
		return 0;
	return ret;
}

static void cenalloc_show_c(struct seq_file *s, const struct cen_constraints *c)
{
	int f;

	for (f = 0; f < CEN_F_COUNT; f++) {
		if (c->src[f] == CEN_SRC_NONE)
			continue;
		seq_printf(s, "  %s=0x%llx (%s)", cen_field_name(f),
			   cen_constraints_get(c, f), cen_source_name(c->src[f]));
	}
	seq_putc(s, '\n');
}

/**
 * cenalloc_sources_show() - declarations and profiles, for debugfs.
 * @s: the seq_file.
 */
void cenalloc_sources_show(struct seq_file *s)
{
	struct cenalloc_decl *d;
	struct cenalloc_prof *p;

	mutex_lock(&cenalloc_decl_lock);
	list_for_each_entry(d, &cenalloc_decls, node) {
		seq_printf(s, "driver %s:", dev_name(d->dev));
		cenalloc_show_c(s, &d->c);
	}
	mutex_unlock(&cenalloc_decl_lock);
	mutex_lock(&cenalloc_prof_lock);
	list_for_each_entry(p, &cenalloc_profs, node) {
		seq_printf(s, "profile device=%s driver=%s bus=%s:",
			   p->p.device, p->p.driver, p->p.bus);
		cenalloc_show_c(s, &p->c);
	}
	mutex_unlock(&cenalloc_prof_lock);
}

/**
 * cenalloc_sources_exit() - drop every declaration and profile at unload.
 */
void cenalloc_sources_exit(void)
{
	struct cenalloc_decl *d, *dt;
	struct cenalloc_prof *p, *pt;

	list_for_each_entry_safe(d, dt, &cenalloc_decls, node) {
		list_del(&d->node);
		put_device(d->dev);
		kfree(d);
	}
	list_for_each_entry_safe(p, pt, &cenalloc_profs, node) {
		list_del(&p->node);
		kfree(p);
	}
}
