// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/buffer.hpp"

#include <cerrno>
#include <utility>

#include <sys/mman.h>

#include "cenalloc/error.hpp"
#include "info_query.hpp"

namespace cenalloc {

Buffer::Buffer(std::shared_ptr<const UniqueFd> device, UniqueFd fd,
	       std::uint64_t id, std::uint64_t size, std::string name)
	: device_(std::move(device)), fd_(std::move(fd)), id_(id), size_(size),
	  name_(std::move(name))
{
}

BufferInfo Buffer::info() const
{
	return detail::info_by_fd(device_->get(), fd_.get());
}

Mapping Buffer::map(Access access) const
{
	if (size_ > SIZE_MAX)
		throw Error(EFBIG, "map buffer " + std::to_string(id_),
			    "larger than the address space");
	return Mapping(fd_.duplicate(), device_,
		       static_cast<std::size_t>(size_), access);
}

UniqueFd Buffer::release() &&
{
	return std::move(fd_);
}

} // namespace cenalloc
