// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/result.hpp
/// @brief what a call returns when it may fail: a value or
/// a Failure, for programs built without exceptions.
///
/// @code
///   cenalloc::Result<cenalloc::Buffer> buf = alloc.try_create(spec);
///   if (!buf) {
///           std::fprintf(stderr, "%s\n", buf.error().message().c_str());
///           return -buf.error().errno_value();
///   }
///   use(*buf);
/// @endcode
///
/// Every call of libcenalloc that can fail has a try_ form returning a
/// Result and never throws.  The forms without try_ (create(), map()...)
/// are inline wrappers that throw cenalloc::Error; they exist only where
/// exceptions are enabled.  Result::value() on a failure throws Error too,
/// or, built with -fno-exceptions, prints the failure and aborts (like the
/// standard library does there): test ok() first.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "error.hpp"

namespace cenalloc {

namespace detail {

/// value() of a failed Result: throw, or end the program with the reason.
[[noreturn]] inline void fail(const Failure &failure)
{
#if defined(__cpp_exceptions)
	throw Error(failure);
#else
	std::fprintf(stderr, "cenalloc: %s\n", failure.message().c_str());
	std::abort();
#endif
}

} // namespace detail

/// A value of type T, or the Failure that prevented it.  Not thread-safe
/// (like any value); moving it moves the value or the failure.
template <typename T> class [[nodiscard]] Result {
public:
	/// Success: implicit, so a function returns its value as it is.
	// NOLINTNEXTLINE(google-explicit-constructor): return value;
	Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
	/// Failure: implicit, so a function returns a Failure as it is.
	// NOLINTNEXTLINE(google-explicit-constructor): return failure;
	Result(Failure failure)
		: state_(std::in_place_index<1>, std::move(failure))
	{
	}

	/// There is a value (no failure).
	[[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
	/// ok().
	explicit operator bool() const noexcept { return ok(); }

	/// @name Access to the value
	/// On a failure, each of these throws Error, or, built without
	/// exceptions, prints the failure and aborts (see result.hpp): test
	/// ok() first.  Unlike std::optional, operator* and operator-> check
	/// too.
	/// @{

	/// The value; on a failure: see the top of this file.
	[[nodiscard]] T &value() &
	{
		check();
		return *std::get_if<0>(&state_);
	}
	/// The value, read-only.
	[[nodiscard]] const T &value() const &
	{
		check();
		return *std::get_if<0>(&state_);
	}
	/// The value, moved out of a Result about to go:
	/// auto buf = *alloc.try_create(spec).
	[[nodiscard]] T &&value() &&
	{
		check();
		return std::move(*std::get_if<0>(&state_));
	}
	/// value().
	T &operator*() & { return value(); }
	/// value(), read-only.
	const T &operator*() const & { return value(); }
	/// value(), moved out.
	T &&operator*() && { return std::move(*this).value(); }
	/// &value(): result->fd().
	T *operator->() { return &value(); }
	/// &value(), read-only.
	const T *operator->() const { return &value(); }
	/// @}

	/// The failure; a default Failure (errno 0) when there is none.
	[[nodiscard]] const Failure &error() const noexcept
	{
		static const Failure kNone{};
		const Failure *f = std::get_if<1>(&state_);

		return f ? *f : kNone;
	}

private:
	void check() const
	{
		if (const Failure *f = std::get_if<1>(&state_))
			detail::fail(*f);
	}

	std::variant<T, Failure> state_;
};

/// Success, or the Failure.
template <> class [[nodiscard]] Result<void> {
public:
	/// Success: return {}.
	Result() = default;
	/// Failure: implicit, so a function returns a Failure as it is.
	// NOLINTNEXTLINE(google-explicit-constructor): return failure;
	Result(Failure failure) : failure_(std::move(failure)), ok_(false) {}

	/// The call succeeded.
	[[nodiscard]] bool ok() const noexcept { return ok_; }
	/// ok().
	explicit operator bool() const noexcept { return ok_; }
	/// Nothing on success; on a failure: see the top of this file.
	void value() const
	{
		if (!ok_)
			detail::fail(failure_);
	}
	/// The failure; a default Failure (errno 0) when there is none.
	[[nodiscard]] const Failure &error() const noexcept { return failure_; }

private:
	Failure failure_{};
	bool ok_ = true;
};

} // namespace cenalloc
