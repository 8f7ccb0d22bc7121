// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// input_file.hpp - the text of a document: a file, or standard input for
// "-", read whole up to a limit.  A platform file is a few kilobytes;
// without a limit `cenalloc solve /dev/zero` would grow until the
// machine runs out of memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cenalloc::platform {

// The longest document read: 1 MiB, a hundred times the largest example.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{1} << 20;

// The name that means standard input.
inline constexpr std::string_view kStdinName = "-";

// @name as messages show it: "<stdin>" for "-", the file name made
// printable() otherwise.
std::string input_label(std::string_view name);

// The whole text of @name ("-": standard input).  InvalidInput, where =
// input_label(@name), when it cannot be opened or read (with the system's
// reason: "cannot be opened: No such file or directory"), is a directory,
// or holds more than kMaxDocumentBytes (checked by reading, so that pipes
// and devices are bounded too).
std::string read_input(std::string_view name);

} // namespace cenalloc::platform
