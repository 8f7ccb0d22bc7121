// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc/error.hpp - the one exception type of libcenalloc.
//
// A failed call throws cenalloc::Error: the errno (std::system_error, so
// code() compares with std::errc), the operation that failed, and, when
// the kernel explained itself, its reason in words (the buffer's
// last_reason or migration_reason from INFO).  what() has all three, so
// printing it is enough for a user to see why.
#pragma once

#include <string>
#include <system_error>

namespace cenalloc {

class Error : public std::system_error {
public:
	// @errno_value: positive errno; @operation: what was being done
	// ("create buffer 'frame'"); @reason: the kernel's words, or "".
	Error(int errno_value, std::string operation, std::string reason = {});

	[[nodiscard]] int errno_value() const noexcept { return code().value(); }
	[[nodiscard]] const std::string &operation() const noexcept
	{
		return operation_;
	}
	[[nodiscard]] const std::string &reason() const noexcept
	{
		return reason_;
	}
	// "operation: reason (strerror)", or "operation: strerror".
	[[nodiscard]] const char *what() const noexcept override
	{
		return message_.c_str();
	}

private:
	std::string operation_{};
	std::string reason_{};
	std::string message_{};
};

} // namespace cenalloc
