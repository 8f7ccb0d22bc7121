// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// text.hpp - how the tool writes numbers for people, the same way in
// every command:
//   - addresses and masks in hex ("0xffffffff");
//   - "any" for a limit nobody set, "none" for an empty list, "-" for a
//     table cell that does not apply;
//   - sizes exact, with a readable approximation when the exact value is
//     not a whole unit ("8294400 bytes (7.91 MiB)", "4 MiB");
//   - counts with their noun in the right number ("1 segment").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cenalloc/constraints.hpp"

namespace cenalloc::tool {

// Approximate, three significant digits, never rounded up: "3.96 MiB",
// "812 bytes".  For amounts that change (free, used).
std::string human_bytes(std::uint64_t bytes);

// Exact, readable: "4 MiB", "4052 KiB", "8294400 bytes (7.91 MiB)",
// "812 bytes".  For granules: chunks, alignments, segment sizes.
std::string bytes_text(std::uint64_t bytes);

// A buffer's size, always in bytes too: "4194304 bytes (4 MiB)".
std::string size_text(std::uint64_t bytes);

// "1 segment", "2 segments", "0 segments".
std::string count_text(std::uint64_t n, std::string_view one,
		       std::string_view many);

// A constraint's value: as Constraints::value_text(), but "any" for an
// alignment nobody asked for (the library says "none"), so that every
// unset or unlimited field reads alike.
std::string field_text(const Constraints &c, Field f);

// "address limit 0xffffffff (struct device), max segments 1 (default
// policy)": the fields somebody set, with their sources when @sources;
// "nothing constrained" when none is.
std::string constraint_list(const Constraints &c, bool sources = true);

} // namespace cenalloc::tool
