// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// buffer_ids.hpp - enumerating cenalloc buffers.  Internal (tested).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cenalloc::detail {

inline constexpr const char *kDebugfsBuffers =
	"/sys/kernel/debug/cenalloc/buffers";

// The ids in the text of debugfs cenalloc/buffers: every line
// "buffer <id> '<name>' ...", sorted, duplicates dropped.
std::vector<std::uint64_t> parse_debugfs_buffer_ids(std::string_view text);

} // namespace cenalloc::detail
