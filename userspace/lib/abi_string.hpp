// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// abi_string.hpp - fixed-size name fields of the ABI.  Internal.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "cenalloc/error.hpp"

namespace cenalloc::detail {

// Copy @value into a NUL-terminated ABI field; a value that does not fit
// is refused here, with its name, rather than truncated (a truncated
// device name would silently match another device, or none).
template <std::size_t N>
void copy_abi_string(char (&field)[N], std::string_view value,
		     std::string_view what, const std::string &operation)
{
	if (value.size() >= N)
		throw Error(EINVAL, operation,
			    std::string(what) + " '" + std::string(value) +
				    "' is longer than " +
				    std::to_string(N - 1) + " bytes");
	if (value.find('\0') != std::string_view::npos)
		throw Error(EINVAL, operation,
			    std::string(what) + " contains a NUL byte");
	std::memcpy(field, value.data(), value.size());
	field[value.size()] = '\0';
}

} // namespace cenalloc::detail
