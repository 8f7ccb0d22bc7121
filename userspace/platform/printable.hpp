// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// printable.hpp - input quoted in a message, made safe for a terminal and
// short enough to read: a key, a string value or a file name may hold
// escape sequences (ESC [ 2 J clears the screen) and may be megabytes
// long.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cenalloc::platform {

// How much of a piece of input a message shows (bytes of the input).
inline constexpr std::size_t kQuoteLimit = 64;

// @text with control characters (C0, DEL, C1) and bytes that are not
// UTF-8 written as escapes (\n, \t, \r, \x1b), cut after @limit bytes of
// @text with "..." added.  Printable UTF-8 passes unchanged.
std::string printable(std::string_view text, std::size_t limit = kQuoteLimit);

// printable() in double quotes, with " and \ escaped as well, so that the
// quoted text is unambiguous; when cut, followed by the whole length:
// "abc..." (104857600 bytes).
std::string in_quotes(std::string_view text, std::size_t limit = kQuoteLimit);

} // namespace cenalloc::platform
