// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// ioctl.hpp - the only place libcenalloc calls ioctl(2).  Internal.
#pragma once

#include <cerrno>
#include <cstdint>

#include <sys/ioctl.h>

namespace cenalloc::detail {

// ioctl that retries on EINTR; 0 or a positive errno.
template <typename Arg> int call_ioctl(int fd, unsigned long request, Arg *arg)
{
	int ret = 0;

	do {
		ret = ::ioctl(fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? errno : 0;
}

// An ABI argument struct: zeroed (reserved fields must be zero) with its
// argsz set, which is how the kernel tells old callers from new ones.
template <typename Arg> Arg abi_arg()
{
	Arg arg{};
	arg.argsz = sizeof(Arg);
	return arg;
}

// A user pointer as the ABI carries it: a __u64, whatever the pointer
// size, so that 32-bit and 64-bit callers share one struct layout.
template <typename T> std::uint64_t abi_ptr(T *p)
{
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
	return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace cenalloc::detail
