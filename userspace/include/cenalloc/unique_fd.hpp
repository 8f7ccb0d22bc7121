// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/unique_fd.hpp
/// @brief one owned file descriptor.
///
/// Every descriptor libcenalloc hands out (the allocator device, a
/// buffer's dma-buf) is a UniqueFd: closed exactly once, when its owner
/// goes away, and never copied by accident.  Thread safety: like an int;
/// one UniqueFd must not be reset or moved while another thread uses it.
#pragma once

#include <utility>

#include "export.h"
#include "result.hpp"

namespace cenalloc {

class CENALLOC_API UniqueFd {
public:
	UniqueFd() noexcept = default;
	explicit UniqueFd(int fd) noexcept : fd_(fd) {}
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }

	[[nodiscard]] int get() const noexcept { return fd_; }
	[[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
	explicit operator bool() const noexcept { return valid(); }

	/// Give up ownership: the caller closes the returned descriptor.
	[[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

	/// Close what is held (if anything) and hold @fd instead.
	void reset(int fd = -1) noexcept;

	/// A second owned descriptor for the same open file (F_DUPFD_CLOEXEC).
	[[nodiscard]] Result<UniqueFd> try_duplicate() const noexcept;
#if defined(__cpp_exceptions)
	/// try_duplicate() that throws cenalloc::Error.
	[[nodiscard]] UniqueFd duplicate() const
	{
		return try_duplicate().value();
	}
#endif

private:
	int fd_ = -1;
};

} ///< namespace cenalloc
