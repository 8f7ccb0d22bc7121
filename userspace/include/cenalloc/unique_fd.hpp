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

/// Owns one file descriptor and closes it exactly once; move-only.  -1 is
/// "nothing held".
class CENALLOC_API UniqueFd {
public:
	/// Holds nothing.
	UniqueFd() noexcept = default;
	/// Take ownership of @p fd (-1 for nothing); it is closed with this.
	explicit UniqueFd(int fd) noexcept : fd_(fd) {}
	/// Moves; @p other is left empty.
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	/// Closes what was held, then moves; @p other is left empty.
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	/// Closes what is held, if anything.
	~UniqueFd() { reset(); }

	/// The descriptor, still owned by this (do not close it); -1 if none.
	[[nodiscard]] int get() const noexcept { return fd_; }
	/// A descriptor is held.
	[[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
	/// valid().
	explicit operator bool() const noexcept { return valid(); }

	/// Give up ownership: the caller closes the returned descriptor.
	[[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

	/// Close what is held (if anything) and hold @p fd instead.
	void reset(int fd = -1) noexcept;

	/// A second owned descriptor for the same open file (F_DUPFD_CLOEXEC):
	/// it shares the file offset and flags, not the lifetime.  Fails with
	/// EBADF when empty, EMFILE when out of descriptors.
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

} // namespace cenalloc
