// SPDX-License-Identifier: GPL-2.0 OR MIT
// The C API: the device, buffers and profiles.
#include <linux/cenalloc.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "c_api.hpp"

using cenalloc::c_api::fail;
using cenalloc::c_api::make;

namespace {

constexpr std::uint32_t kCreateFlags =
	CENALLOC_BUFFER_DYNAMIC | CENALLOC_BUFFER_READ_ONLY;

std::optional<std::string> optional_string(const char *s)
{
	if (!s)
		return std::nullopt;
	return std::string(s);
}

} // namespace

extern "C" {

int cenalloc_open(const char *path, struct cenalloc_device **out)
{
	if (!out)
		return fail(EINVAL, "open cenalloc", "no place for the device");
	*out = nullptr;
	cenalloc::Result<cenalloc::Allocator> alloc = cenalloc::Allocator::open(
		path ? path : cenalloc::Allocator::kDefaultPath);
	if (!alloc)
		return fail(alloc.error());
	auto dev = make<cenalloc_device>(std::move(*alloc));
	if (!dev)
		return -ENOMEM;
	*out = dev.release();
	return 0;
}

void cenalloc_close(struct cenalloc_device *dev)
{
	delete dev; // NOLINT(cppcoreguidelines-owning-memory): from open
}

int cenalloc_device_fd(const struct cenalloc_device *dev)
{
	return dev ? dev->alloc.fd() : -1;
}

int cenalloc_query(struct cenalloc_device *dev, uint32_t *abi_version,
		   uint64_t *features, uint32_t *page_size)
{
	if (!dev)
		return fail(EINVAL, "query", "no device");
	cenalloc::Result<cenalloc::Capabilities> caps = dev->alloc.try_query();
	if (!caps)
		return fail(caps.error());
	if (abi_version)
		*abi_version = caps->abi_version;
	if (features)
		*features = caps->features;
	if (page_size)
		*page_size = caps->page_size;
	return static_cast<int>(caps->backends.size());
}

int cenalloc_create_hinted(struct cenalloc_device *dev, uint64_t size,
			   const char *name, const struct cenalloc_hints *hints,
			   uint32_t flags, int *fd)
{
	if (!dev || !fd)
		return fail(EINVAL, "create buffer", "no device or no place "
						     "for the fd");
	*fd = -1;
	if (flags & ~kCreateFlags)
		return fail(EINVAL, "create buffer", "unknown flags");
	try {
		cenalloc::BufferSpec spec{
			.size = size,
			.name = name ? name : "",
			.hints = hints ? hints->list
				       : std::vector<cenalloc::Hint>{},
			.dynamic = (flags & CENALLOC_BUFFER_DYNAMIC) != 0,
			.read_only = (flags & CENALLOC_BUFFER_READ_ONLY) != 0,
		};
		cenalloc::Result<cenalloc::Buffer> buf =
			dev->alloc.try_create(spec);
		if (!buf)
			return fail(buf.error());
		*fd = std::move(*buf).release().release();
		return 0;
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "create buffer", "out of memory");
	}
}

int cenalloc_create(struct cenalloc_device *dev, uint64_t size,
		    const char *name, uint32_t flags, int *fd)
{
	return cenalloc_create_hinted(dev, size, name, nullptr, flags, fd);
}

struct cenalloc_hints *cenalloc_hints_new(void)
{
	return make<cenalloc_hints>().release();
}

void cenalloc_hints_free(struct cenalloc_hints *hints)
{
	delete hints; // NOLINT(cppcoreguidelines-owning-memory): from new
}

int cenalloc_hints_add(struct cenalloc_hints *hints, const char *device,
		       const struct cenalloc_constraint_set *c)
{
	if (!hints || (!device && !c))
		return fail(EINVAL, "add hint", "a hint needs a device or "
						"constraints");
	if (hints->list.size() >= cenalloc::kMaxHints)
		return fail(E2BIG, "add hint", "at most 16 hints per buffer");
	if (device && std::strlen(device) > cenalloc::kMaxDeviceLength)
		return fail(EINVAL, "add hint",
			    "the device name is longer than 63 bytes");
	try {
		hints->list.push_back({.device = device ? device : "",
				       .constraints = c ? c->c
							: cenalloc::Constraints{}});
		return 0;
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "add hint", "out of memory");
	}
}

int cenalloc_profile_set(struct cenalloc_device *dev, const char *device,
			 const char *driver, const char *bus,
			 const struct cenalloc_constraint_set *c)
{
	if (!dev || !c)
		return fail(EINVAL, "load profile", "no device or constraints");
	try {
		const cenalloc::Profile profile{
			.match = {optional_string(device), optional_string(driver),
				  optional_string(bus)},
			.constraints = c->c,
		};
		cenalloc::Result<void> r = dev->alloc.try_set_profile(profile);
		return r ? 0 : fail(r.error());
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "load profile", "out of memory");
	}
}

int cenalloc_profile_clear(struct cenalloc_device *dev, const char *device,
			   const char *driver, const char *bus)
{
	if (!dev)
		return fail(EINVAL, "clear profile", "no device");
	try {
		const cenalloc::DeviceMatch match{optional_string(device),
						  optional_string(driver),
						  optional_string(bus)};
		cenalloc::Result<void> r = dev->alloc.try_clear_profile(match);
		return r ? 0 : fail(r.error());
	} catch (const std::bad_alloc &) {
		return fail(ENOMEM, "clear profile", "out of memory");
	}
}

} // extern "C"
