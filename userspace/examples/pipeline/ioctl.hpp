// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The kernel calls of the camera and the display: ioctl(2) retried while
// interrupted (and, for KMS, while the driver asks to try again), and
// user pointers as the uapi structs carry them.
#pragma once

#include <cerrno>
#include <cstdint>

#include <sys/ioctl.h>

namespace cenalloc::example::detail {

// 0 or -errno.
template <typename Arg> int xioctl(int fd, unsigned long request, Arg *arg)
{
	int r = 0;

	do {
		r = ::ioctl(fd, request, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

// A pointer as a __u64 field of a uapi struct.
template <typename T> std::uint64_t uapi_ptr(T *p)
{
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
	return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace cenalloc::example::detail
