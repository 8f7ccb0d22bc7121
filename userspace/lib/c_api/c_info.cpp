// SPDX-License-Identifier: GPL-2.0 OR MIT
// The C API: a buffer's state (INFO) and its members.
#include <cerrno>

#include "c_api.hpp"

using cenalloc::c_api::fail;
using cenalloc::c_api::make;

namespace {

const cenalloc::Member *member(const cenalloc_buffer_info *info, size_t i)
{
	if (!info || i >= info->info.members.size())
		return nullptr;
	return &info->info.members[i];
}

std::unique_ptr<cenalloc_buffer_info> wrap(cenalloc::BufferInfo info)
{
	auto out = make<cenalloc_buffer_info>();

	if (!out)
		return out;
	out->merged.c = info.merged;
	for (const cenalloc::Member &m : info.members)
		out->members.push_back({m.constraints});
	out->info = std::move(info);
	return out;
}

} // namespace

extern "C" {

int cenalloc_info_get(struct cenalloc_device *dev, int fd,
		      struct cenalloc_buffer_info **out)
{
	if (!dev || !out)
		return fail(EINVAL, "buffer info", "no device or no place "
						   "for the info");
	*out = nullptr;
	cenalloc::Result<cenalloc::BufferInfo> info = dev->alloc.try_info(fd);
	if (!info)
		return fail(info.error());
	try {
		auto wrapped = wrap(std::move(*info));
		if (!wrapped)
			return -ENOMEM;
		*out = wrapped.release();
		return 0;
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "buffer info", "out of memory");
	}
}

void cenalloc_info_free(struct cenalloc_buffer_info *info)
{
	delete info; // NOLINT(cppcoreguidelines-owning-memory): from get
}

uint64_t cenalloc_info_id(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.id : 0;
}

const char *cenalloc_info_name(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.name.c_str() : "";
}

uint64_t cenalloc_info_size(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.size : 0;
}

const char *cenalloc_info_backend(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.backend.c_str() : "";
}

uint32_t cenalloc_info_runs(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.runs : 0;
}

const char *cenalloc_info_reason(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.last_reason.c_str() : "";
}

int cenalloc_info_error(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.last_error : 0;
}

uint32_t cenalloc_info_migrations(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.migrations : 0;
}

const struct cenalloc_constraint_set *cenalloc_info_merged(const struct cenalloc_buffer_info *info)
{
	return info ? &info->merged : nullptr;
}

size_t cenalloc_info_member_count(const struct cenalloc_buffer_info *info)
{
	return info ? info->info.members.size() : 0;
}

const char *cenalloc_info_member_device(const struct cenalloc_buffer_info *info,
					size_t i)
{
	const cenalloc::Member *m = member(info, i);

	return m ? m->device.c_str() : nullptr;
}

const char *cenalloc_info_member_driver(const struct cenalloc_buffer_info *info,
					size_t i)
{
	const cenalloc::Member *m = member(info, i);

	return m ? m->driver.c_str() : nullptr;
}

uint32_t cenalloc_info_member_flags(const struct cenalloc_buffer_info *info, size_t i)
{
	const cenalloc::Member *m = member(info, i);

	if (!m)
		return 0;
	return (m->mapped ? CENALLOC_MEMBER_MAPPED : 0U) |
	       (m->dynamic ? CENALLOC_MEMBER_DYNAMIC : 0U) |
	       (m->from_hint ? CENALLOC_MEMBER_HINT : 0U);
}

const struct cenalloc_constraint_set *
cenalloc_info_member_constraints(const struct cenalloc_buffer_info *info, size_t i)
{
	if (!member(info, i))
		return nullptr;
	return &info->members[i];
}

} // extern "C"
