// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/allocator.hpp"

#include <linux/cenalloc.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "capture.hpp"
#include "cenalloc/error.hpp"
#include "create.hpp"
#include "info_query.hpp"
#include "ioctl.hpp"
#include "profiles.hpp"
#include "uapi_convert.hpp"

namespace cenalloc {

namespace {

std::shared_ptr<const UniqueFd> open_device(const std::string &path)
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
		throw Error(err, "open " + path, why);
	}
	// Another node (a typo, /dev/null) would fail later, in a way that
	// blames cenalloc: ask it what it is now.
	auto q = detail::abi_arg<cenalloc_query>();
	if (int err = detail::call_ioctl(fd.get(), CENALLOC_IOC_QUERY, &q))
		throw Error(err == ENOTTY || err == EINVAL ? ENOTTY : err,
			    "open " + path,
			    "not a cenalloc device (QUERY failed)");
	return std::make_shared<const UniqueFd>(std::move(fd));
}

Capabilities query_caps(int fd, const std::string &path)
{
	std::uint32_t cap = 8;

	for (;;) {
		std::vector<cenalloc_backend_info> backends(cap);
		auto q = detail::abi_arg<cenalloc_query>();

		q.backends_ptr = detail::abi_ptr(backends.data());
		q.backends_cap = cap;
		q.backend_entry_size = sizeof(cenalloc_backend_info);
		if (int err = detail::call_ioctl(fd, CENALLOC_IOC_QUERY, &q))
			throw Error(err, "query " + path);
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

std::uint64_t page_round_up(std::uint64_t size)
{
	const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

	return (size + page - 1) / page * page;
}

} // namespace

Result<Allocator> Allocator::open(const std::string &path) noexcept
{
	return detail::capture(
		[&path] { return Allocator(open_device(path), path); });
}

Result<Capabilities> Allocator::try_query() const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "query");
	return detail::capture([this] { return query_caps(fd(), path_); });
}

Result<Buffer> Allocator::try_create(const BufferSpec &spec) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "create buffer");
	return detail::capture([this, &spec] {
		std::uint64_t id = 0;
		UniqueFd buf = detail::create_buffer(fd(), spec, &id);

		return Buffer(device_, std::move(buf), id,
			      page_round_up(spec.size), spec.name);
	});
}

Result<Buffer> Allocator::try_adopt(UniqueFd fd) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "adopt buffer");
	return detail::capture([this, &fd] {
		BufferInfo info = detail::info_by_fd(this->fd(), fd.get());

		return Buffer(device_, std::move(fd), info.id, info.size,
			      std::move(info.name));
	});
}

Result<BufferInfo> Allocator::try_info(int dmabuf_fd) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "buffer info");
	return detail::capture(
		[this, dmabuf_fd] { return detail::info_by_fd(fd(), dmabuf_fd); });
}

Result<BufferInfo> Allocator::try_info_by_id(std::uint64_t id) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "buffer info");
	return detail::capture(
		[this, id] { return detail::info_by_id(fd(), id); });
}

Result<void> Allocator::try_set_profile(const Profile &profile) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "load profile");
	return detail::capture(
		[this, &profile] { detail::set_profile(fd(), profile); });
}

Result<void> Allocator::try_clear_profile(const DeviceMatch &match) const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "clear profile");
	return detail::capture(
		[this, &match] { detail::clear_profile(fd(), match); });
}

Result<void> Allocator::try_clear_all_profiles() const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "clear every profile");
	return detail::capture([this] { detail::clear_all_profiles(fd()); });
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
