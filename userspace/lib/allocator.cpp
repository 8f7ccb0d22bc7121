// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/allocator.hpp"

#include <linux/cenalloc.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "abi_string.hpp"
#include "cenalloc/error.hpp"
#include "info_query.hpp"
#include "ioctl.hpp"
#include "uapi_convert.hpp"

namespace cenalloc {

namespace {

std::shared_ptr<const UniqueFd> open_device(const std::filesystem::path &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));

	if (!fd) {
		const int err = errno;
		std::string why;
		if (err == ENOENT)
			why = "no such device: is the cenalloc module loaded "
			      "(modprobe cenalloc)?";
		else if (err == EACCES)
			why = "no permission to open it: the node is root's "
			      "unless a udev rule grants a group "
			      "(docs/security.md)";
		throw Error(err, "open " + path.string(), why);
	}
	return std::make_shared<const UniqueFd>(std::move(fd));
}

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

std::uint64_t page_round_up(std::uint64_t size)
{
	const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

	return (size + page - 1) / page * page;
}

} // namespace

Allocator::Allocator(const std::filesystem::path &path)
	: device_(open_device(path)), path_(path)
{
}

Capabilities Allocator::query() const
{
	std::uint32_t cap = 8;

	for (;;) {
		std::vector<cenalloc_backend_info> backends(cap);
		auto q = detail::abi_arg<cenalloc_query>();

		q.backends_ptr = detail::abi_ptr(backends.data());
		q.backends_cap = cap;
		q.backend_entry_size = sizeof(cenalloc_backend_info);
		if (int err = detail::call_ioctl(fd(), CENALLOC_IOC_QUERY, &q))
			throw Error(err, "query " + path_.string());
		if (q.nr_backends > cap) {
			cap = q.nr_backends;
			continue;
		}
		Capabilities caps{
			.abi_version = q.abi_version,
			.features = q.features,
			.page_size = q.page_size,
			.backends = {},
		};
		for (std::uint32_t i = 0; i < q.nr_backends; i++)
			caps.backends.push_back(detail::from_uapi(backends[i]));
		return caps;
	}
}

Buffer Allocator::create(const BufferSpec &spec) const
{
	const std::string op = "create buffer " + in_quotes(spec.name);
	auto c = detail::abi_arg<cenalloc_create>();
	std::vector<cenalloc_hint> hints;

	if (spec.size == 0)
		throw Error(EINVAL, op, "the size is zero");
	if (spec.hints.size() > kMaxHints)
		throw Error(EINVAL, op,
			    std::to_string(spec.hints.size()) +
				    " hints, at most " +
				    std::to_string(kMaxHints));
	detail::copy_abi_string(c.name, spec.name, "buffer name", op);
	for (const Hint &h : spec.hints) {
		cenalloc_hint hint{};
		if (h.device.empty() && h.constraints.empty())
			throw Error(EINVAL, op,
				    "a hint needs a device or constraints");
		detail::copy_abi_string(hint.device, h.device, "device name",
					op);
		if (!h.constraints.empty()) {
			hint.flags = CENALLOC_HINT_CONSTRAINTS;
			hint.c = detail::to_uapi(h.constraints);
		}
		hints.push_back(hint);
	}
	c.len = spec.size;
	c.flags = spec.dynamic ? CENALLOC_CREATE_DYNAMIC : 0;
	c.fd_flags = O_CLOEXEC | (spec.read_only ? O_RDONLY : O_RDWR);
	if (!hints.empty()) {
		c.hints_ptr = detail::abi_ptr(hints.data());
		c.nr_hints = static_cast<std::uint32_t>(hints.size());
		c.hint_entry_size = sizeof(cenalloc_hint);
	}
	if (int err = detail::call_ioctl(fd(), CENALLOC_IOC_CREATE, &c))
		throw Error(err, op, create_failure(err, spec));
	return Buffer(device_, UniqueFd(c.fd), c.id, page_round_up(spec.size),
		      spec.name);
}

Buffer Allocator::adopt(UniqueFd fd) const
{
	BufferInfo info = detail::info_by_fd(this->fd(), fd.get());

	return Buffer(device_, std::move(fd), info.id, info.size,
		      std::move(info.name));
}

BufferInfo Allocator::info(int dmabuf_fd) const
{
	return detail::info_by_fd(fd(), dmabuf_fd);
}

BufferInfo Allocator::info_by_id(std::uint64_t id) const
{
	return detail::info_by_id(fd(), id);
}

void Allocator::set_profile(const Profile &profile) const
{
	const std::string op = "load profile for " + profile.match.describe();
	cenalloc_profile p = detail::to_uapi(profile.match, op.c_str());

	if (profile.constraints.empty())
		throw Error(EINVAL, op, "the profile sets no constraint");
	p.c = detail::to_uapi(profile.constraints);
	if (int err = detail::call_ioctl(fd(), CENALLOC_IOC_PROFILE_SET, &p)) {
		std::string why;
		if (err == EPERM)
			why = "loading profiles needs CAP_SYS_ADMIN (root)";
		else if (err == EINVAL)
			why = "the kernel refused the constraints as malformed";
		throw Error(err, op, why);
	}
}

void Allocator::clear_profile(const DeviceMatch &match) const
{
	const std::string op = "clear profile for " + match.describe();
	cenalloc_profile p = detail::to_uapi(match, op.c_str());

	if (int err = detail::call_ioctl(fd(), CENALLOC_IOC_PROFILE_CLEAR, &p)) {
		std::string why;
		if (err == EPERM)
			why = "clearing profiles needs CAP_SYS_ADMIN (root)";
		else if (err == ENOENT)
			why = "no profile with exactly this match is loaded";
		throw Error(err, op, why);
	}
}

void Allocator::clear_all_profiles() const
{
	auto p = detail::abi_arg<cenalloc_profile>();

	p.flags = CENALLOC_PROFILE_CLEAR_ALL;
	if (int err = detail::call_ioctl(fd(), CENALLOC_IOC_PROFILE_CLEAR, &p))
		throw Error(err, "clear every profile",
			    err == EPERM ? "clearing profiles needs "
					   "CAP_SYS_ADMIN (root)"
					 : "");
}

std::string DeviceMatch::describe() const
{
	std::string s;
	auto add = [&s](const char *key, const std::optional<std::string> &v) {
		if (v)
			s += (s.empty() ? "" : " ") + std::string(key) + "=" + *v;
	};

	add("device", device);
	add("driver", driver);
	add("bus", bus);
	return s.empty() ? "(no match)" : s;
}

} // namespace cenalloc
