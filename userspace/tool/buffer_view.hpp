// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// buffer_view.hpp - one buffer's INFO, for people and for programs;
// shared by `cenalloc alloc` and `cenalloc info`.
#pragma once

#include <ostream>
#include <vector>

#include "cenalloc/buffer_info.hpp"
#include "json_reader.hpp"

namespace cenalloc::tool {

// Everything about one buffer: state, decision, merged constraints with
// who imposed them, every member.
void print_buffer(std::ostream &out, const BufferInfo &info);
// One line per buffer.
void print_buffer_table(std::ostream &out, const std::vector<BufferInfo> &all);
platform::Json buffer_to_json(const BufferInfo &info);

} // namespace cenalloc::tool
