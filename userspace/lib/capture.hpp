// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// capture.hpp - the boundary of the library's ABI.  Internal.
//
// Inside, the library reports failures by throwing Error: deep helpers
// (ABI strings, conversions) need not thread results through every
// caller.  No exception crosses an exported call: each runs its body under
// capture(), which turns Error, std::bad_alloc and anything else into the
// Failure of a Result.  So programs built with -fno-exceptions can call
// every exported function.
#pragma once

#include <cerrno>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

#include "cenalloc/result.hpp"

namespace cenalloc::detail {

template <typename Body>
auto capture(Body &&body) noexcept -> Result<std::invoke_result_t<Body>>
{
	using T = std::invoke_result_t<Body>;

	try {
		if constexpr (std::is_void_v<T>) {
			std::forward<Body>(body)();
			return {};
		} else {
			return std::forward<Body>(body)();
		}
	} catch (const Error &e) {
		return e.failure();
	} catch (const std::bad_alloc &) {
		return Failure(ENOMEM, "libcenalloc", "out of memory");
	} catch (const std::exception &e) {
		return Failure(EIO, "libcenalloc", e.what());
	}
}

// A Failure for a call on an empty (moved-from) object.
inline Failure moved_from(const char *type, const char *operation)
{
	return Failure(EBADF, operation,
		       std::string("the ") + type +
			       " is empty (moved from or released)");
}

} // namespace cenalloc::detail
