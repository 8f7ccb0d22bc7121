// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "create.hpp"

#include <linux/cenalloc.h>

#include <cerrno>
#include <string>
#include <vector>

#include <fcntl.h>

#include "abi_string.hpp"
#include "cenalloc/error.hpp"
#include "ioctl.hpp"
#include "uapi_convert.hpp"

namespace cenalloc::detail {

namespace {

std::string in_quotes(const std::string &s)
{
	return "'" + s + "'";
}

// CREATE fails with an errno only (the kernel logs the details): say
// what each errno means for this call.
std::string create_failure(int err, const BufferSpec &spec)
{
	switch (err) {
	case ENODEV: {
		std::string names;
		for (const Hint &h : spec.hints)
			if (!h.device.empty())
				names += (names.empty() ? "" : ", ") + h.device;
		return "a hint names a device that is neither present nor in "
		       "a profile (hints: " + names + ")";
	}
	case EOPNOTSUPP:
		return "dynamic buffers need a kernel built with "
		       "CONFIG_DMABUF_MOVE_NOTIFY";
	case E2BIG:
		return "larger than the machine's memory or the module's "
		       "size_limit_mb";
	case EINVAL:
		if (!spec.hints.empty())
			return "the hints are malformed or no memory can "
			       "satisfy them together (the kernel log says "
			       "which)";
		return {};
	default:
		return {};
	}
}

} // namespace

UniqueFd create_buffer(int device, const BufferSpec &spec, std::uint64_t *id)
{
	const std::string op = "create buffer " + in_quotes(spec.name);
	auto c = abi_arg<cenalloc_create>();
	std::vector<cenalloc_hint> hints;

	if (spec.size == 0)
		throw Error(EINVAL, op, "the size is zero");
	if (spec.hints.size() > kMaxHints)
		throw Error(EINVAL, op,
			    std::to_string(spec.hints.size()) +
				    " hints, at most " +
				    std::to_string(kMaxHints));
	copy_abi_string(c.name, spec.name, "buffer name", op);
	for (const Hint &h : spec.hints) {
		cenalloc_hint hint{};
		if (h.device.empty() && h.constraints.empty())
			throw Error(EINVAL, op,
				    "a hint needs a device or constraints");
		copy_abi_string(hint.device, h.device, "device name",
					op);
		if (!h.constraints.empty()) {
			hint.flags = CENALLOC_HINT_CONSTRAINTS;
			hint.c = to_uapi(h.constraints);
		}
		hints.push_back(hint);
	}
	c.len = spec.size;
	c.flags = spec.dynamic ? CENALLOC_CREATE_DYNAMIC : 0;
	c.fd_flags = O_CLOEXEC | (spec.read_only ? O_RDONLY : O_RDWR);
	if (!hints.empty()) {
		c.hints_ptr = abi_ptr(hints.data());
		c.nr_hints = static_cast<std::uint32_t>(hints.size());
		c.hint_entry_size = sizeof(cenalloc_hint);
	}
	if (int err = call_ioctl(device, CENALLOC_IOC_CREATE, &c))
		throw Error(err, op, create_failure(err, spec));
	*id = c.id;
	return UniqueFd(c.fd);
}

} // namespace cenalloc::detail
