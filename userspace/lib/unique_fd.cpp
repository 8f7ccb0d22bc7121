// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/unique_fd.hpp"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "cenalloc/error.hpp"

namespace cenalloc {

void UniqueFd::reset(int fd) noexcept
{
	// close() is not retried on EINTR: on Linux the descriptor is gone
	// either way, and a retry could close somebody else's.
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

UniqueFd UniqueFd::duplicate() const
{
	int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		throw Error(errno, "duplicate file descriptor " +
					   std::to_string(fd_));
	return UniqueFd(fd);
}

} // namespace cenalloc
