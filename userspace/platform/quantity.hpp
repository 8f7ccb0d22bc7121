// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// quantity.hpp - numbers as people write them in JSON files and on
// command lines: 4096, "0x1000", "4 KiB", "4K", "16 MiB", "1GiB".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cenalloc::platform {

// The value, or nullopt with *error saying what is wrong ("unknown unit
// "KB" (use K/KiB, M/MiB, G/GiB, T/TiB)").  Units are binary (1 KiB =
// 1024); hexadecimal takes no unit.
std::optional<std::uint64_t> parse_quantity(std::string_view text,
					    std::string *error);

} // namespace cenalloc::platform
