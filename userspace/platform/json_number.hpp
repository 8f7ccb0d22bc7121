// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// json_number.hpp - a JSON number literal read exactly.  A parser hands
// "1e6" or "2.5e3" over as a double; a double holds every integer only up
// to 2^53, so "18446744073709551615e0" would silently become 2^64.  The
// literal's own digits say whether it is a whole number and which.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cenalloc::platform {

struct WholeNumber {
	bool negative = false;
	std::uint64_t magnitude = 0;
};

// The value of the JSON number @literal (RFC 8259 grammar) when it is a
// whole number whose magnitude fits in 64 bits; nullopt when it has a
// fraction, does not fit, or is not a JSON number.
std::optional<WholeNumber> whole_number(std::string_view literal);

} // namespace cenalloc::platform
