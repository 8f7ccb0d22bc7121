// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/unique_fd.hpp"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "cenalloc/error.hpp"
#include "cenalloc/result.hpp"

namespace cenalloc {

void UniqueFd::reset(int fd) noexcept
{
	// close() is not retried on EINTR: on Linux the descriptor is gone
	// either way, and a retry could close somebody else's.
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

Result<UniqueFd> UniqueFd::try_duplicate() const noexcept
{
	int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);

	if (fd < 0) {
		const int err = errno;

		return Failure(err, "duplicate file descriptor " +
					    std::to_string(fd_));
	}
	return UniqueFd(fd);
}

} // namespace cenalloc
