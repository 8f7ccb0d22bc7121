// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "info_query.hpp"

#include <linux/cenalloc.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "cenalloc/error.hpp"
#include "ioctl.hpp"
#include "uapi_convert.hpp"

namespace cenalloc::detail {

namespace {

// Room for this many members first; a buffer with more is asked again.
constexpr std::uint32_t kInitialMembers = 16;

// INFO with an argument prepared by @prepare (fd or id); 0 or errno.
template <typename Prepare>
int run_info(int device_fd, Prepare prepare, BufferInfo *out)
{
	std::uint32_t cap = kInitialMembers;

	for (;;) {
		std::vector<cenalloc_attach_info> members(cap);
		auto info = abi_arg<cenalloc_info>();

		prepare(info);
		info.attach_ptr = abi_ptr(members.data());
		info.attach_cap = cap;
		info.attach_entry_size = sizeof(cenalloc_attach_info);
		if (int err = call_ioctl(device_fd, CENALLOC_IOC_INFO, &info))
			return err;
		// Members attached in the meantime: ask again with room.
		if (info.nr_attach > cap) {
			cap = info.nr_attach;
			continue;
		}
		members.resize(std::min(info.nr_attach, cap));
		*out = from_uapi(info, members);
		return 0;
	}
}

} // namespace

BufferInfo info_by_fd(int device_fd, int dmabuf_fd)
{
	BufferInfo out;
	const int err = run_info(
		device_fd,
		[dmabuf_fd](cenalloc_info &info) { info.fd = dmabuf_fd; },
		&out);

	if (err == EINVAL)
		throw Error(err, "buffer info of fd " + std::to_string(dmabuf_fd),
			    "not a cenalloc dma-buf");
	if (err)
		throw Error(err,
			    "buffer info of fd " + std::to_string(dmabuf_fd));
	return out;
}

int try_info_by_id(int device_fd, std::uint64_t id, BufferInfo *out)
{
	return run_info(
		device_fd,
		[id](cenalloc_info &info) {
			info.flags = CENALLOC_INFO_BY_ID;
			info.id = id;
		},
		out);
}

BufferInfo info_by_id(int device_fd, std::uint64_t id)
{
	BufferInfo out;
	const int err = try_info_by_id(device_fd, id, &out);
	const std::string op = "buffer info of id " + std::to_string(id);

	if (err == ENOENT)
		throw Error(err, op, "no cenalloc buffer has this id");
	if (err == EPERM)
		throw Error(err, op, "INFO by id needs CAP_SYS_ADMIN (root)");
	if (err)
		throw Error(err, op);
	return out;
}

std::string failure_reason(int device_fd, int dmabuf_fd)
{
	BufferInfo info;
	const int err = run_info(
		device_fd,
		[dmabuf_fd](cenalloc_info &i) { i.fd = dmabuf_fd; }, &info);

	if (err || info.last_error == 0)
		return {};
	return info.last_reason;
}

} // namespace cenalloc::detail
