// SPDX-License-Identifier: GPL-2.0 OR MIT
// The C API: CPU mappings and scoped CPU access.
#include <fcntl.h>

#include <cerrno>

#include "c_api.hpp"

using cenalloc::c_api::fail;
using cenalloc::c_api::make;

namespace {

std::optional<cenalloc::Access> access_of(cenalloc_access a)
{
	switch (a) {
	case CENALLOC_ACCESS_READ:
		return cenalloc::Access::read;
	case CENALLOC_ACCESS_WRITE:
		return cenalloc::Access::write;
	case CENALLOC_ACCESS_READ_WRITE:
		return cenalloc::Access::read_write;
	}
	return std::nullopt;
}

// A Mapping of a dma-buf fd the caller keeps: adopt a duplicate (which
// also checks that cenalloc exported it), map, drop the Buffer.
cenalloc::Result<cenalloc::Mapping> map_fd(const cenalloc::Allocator &alloc,
					   int fd, cenalloc::Access access)
{
	cenalloc::UniqueFd dup(::fcntl(fd, F_DUPFD_CLOEXEC, 0));

	if (!dup)
		return cenalloc::Failure(errno, "map buffer",
					 "the fd is not open");
	cenalloc::Result<cenalloc::Buffer> buf =
		alloc.try_adopt(std::move(dup));
	if (!buf)
		return buf.error();
	return buf->try_map(access);
}

} // namespace

extern "C" {

int cenalloc_map(struct cenalloc_device *dev, int fd,
		 enum cenalloc_access access, struct cenalloc_mapping **out)
{
	const auto a = access_of(access);

	if (!dev || !out || !a)
		return fail(EINVAL, "map buffer", "no device, no place for the "
						  "mapping or unknown access");
	*out = nullptr;
	cenalloc::Result<cenalloc::Mapping> map = map_fd(dev->alloc, fd, *a);
	if (!map)
		return fail(map.error());
	auto m = make<cenalloc_mapping>(std::move(*map), cenalloc::CpuAccess());
	if (!m)
		return -ENOMEM;
	*out = m.release();
	return 0;
}

void cenalloc_unmap(struct cenalloc_mapping *map)
{
	delete map; // NOLINT(cppcoreguidelines-owning-memory): from map
}

void *cenalloc_mapping_data(const struct cenalloc_mapping *map)
{
	return map ? map->map.bytes().data() : nullptr;
}

size_t cenalloc_mapping_size(const struct cenalloc_mapping *map)
{
	return map ? map->map.size() : 0;
}

int cenalloc_mapping_begin(struct cenalloc_mapping *map,
			   enum cenalloc_access access)
{
	const auto a = access_of(access);

	if (!map || !a)
		return fail(EINVAL, "begin CPU access", "unknown access");
	if (map->access.active())
		return fail(EBUSY, "begin CPU access",
			    "an access is already open on this mapping");
	cenalloc::Result<cenalloc::CpuAccess> cpu = map->map.try_access(*a);
	if (!cpu)
		return fail(cpu.error());
	map->access = std::move(*cpu);
	return 0;
}

int cenalloc_mapping_end(struct cenalloc_mapping *map)
{
	if (!map)
		return fail(EINVAL, "end CPU access", "no mapping");
	cenalloc::Result<void> r = map->access.try_end();
	return r ? 0 : fail(r.error());
}

} // extern "C"
