// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/error.hpp
/// @brief why a call failed: cenalloc::Failure (a value, for
/// Result and programs without exceptions) and cenalloc::Error (the one
/// exception type of libcenalloc's throwing calls).
///
/// Both carry the errno, the operation that failed and, when the kernel
/// explained itself, its reason in words (the buffer's last_reason or
/// migration_reason from INFO).  message() / what() has all three, so
/// printing it is enough for a user to see why.
///
/// Header-only: the library itself never throws across its ABI (its
/// exported calls return Result), so these types work the same in
/// programs built with and without exceptions.
#pragma once

#include <string>
#include <system_error>
#include <utility>

namespace cenalloc {

/// A failed call.  A plain value: copy it, keep it, print message().
class Failure {
public:
	/// No failure: errno 0 (what Result::error() returns on success).
	Failure() = default;
	/// @param errno_value positive errno.
	/// @param operation what was being done ("create buffer 'frame'").
	/// @param reason the kernel's words, or "".
	Failure(int errno_value, std::string operation, std::string reason = {})
		: errno_(errno_value), operation_(std::move(operation)),
		  reason_(std::move(reason))
	{
	}

	/// Positive errno (EINVAL, ENOMEM...) to branch on; 0 for no failure.
	[[nodiscard]] int errno_value() const noexcept { return errno_; }
	/// What was being done: "create buffer 'frame'".
	[[nodiscard]] const std::string &operation() const noexcept
	{
		return operation_;
	}
	/// Why, in words a user can act on, or "" when nobody said.
	[[nodiscard]] const std::string &reason() const noexcept
	{
		return reason_;
	}
	/// "operation: reason (strerror)" when the kernel said why, else
	/// "operation: strerror": the reason is what a user can act on.
	[[nodiscard]] std::string message() const
	{
		std::string text = std::generic_category().message(errno_);

		if (reason_.empty())
			return operation_ + ": " + text;
		return operation_ + ": " + reason_ + " (" + text + ")";
	}

private:
	int errno_ = 0;
	std::string operation_{};
	std::string reason_{};
};

/// The exception thrown by the calls without try_ (see result.hpp); code()
/// compares with std::errc.
class Error : public std::system_error {
public:
	/// The exception for @p failure (Result::value() throws this).
	explicit Error(Failure failure)
		: std::system_error(failure.errno_value(),
				    std::generic_category(),
				    failure.operation()),
		  failure_(std::move(failure)), message_(failure_.message())
	{
	}
	/// Error(Failure(errno_value, operation, reason)).
	Error(int errno_value, std::string operation, std::string reason = {})
		: Error(Failure(errno_value, std::move(operation),
				std::move(reason)))
	{
	}

	/// Failure::errno_value(); code().value() too.
	[[nodiscard]] int errno_value() const noexcept
	{
		return failure_.errno_value();
	}
	/// Failure::operation().
	[[nodiscard]] const std::string &operation() const noexcept
	{
		return failure_.operation();
	}
	/// Failure::reason().
	[[nodiscard]] const std::string &reason() const noexcept
	{
		return failure_.reason();
	}
	/// The whole failure, to keep or pass on as a value.
	[[nodiscard]] const Failure &failure() const noexcept
	{
		return failure_;
	}
	/// Failure::message(), valid as long as the Error.
	[[nodiscard]] const char *what() const noexcept override
	{
		return message_.c_str();
	}

private:
	Failure failure_;
	std::string message_;
};

} // namespace cenalloc
