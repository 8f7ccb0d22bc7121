// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// info_query.hpp - the INFO ioctl, shared by Allocator, Buffer and
// Mapping.  Internal.
#pragma once

#include <cstdint>
#include <string>

#include "cenalloc/buffer_info.hpp"

namespace cenalloc::detail {

// INFO on a dma-buf fd; throws Error.
BufferInfo info_by_fd(int device_fd, int dmabuf_fd);
// INFO by id (CAP_SYS_ADMIN); throws Error.
BufferInfo info_by_id(int device_fd, std::uint64_t id);
// INFO by id, or ENOENT / EPERM as a value: for probing.
int try_info_by_id(int device_fd, std::uint64_t id, BufferInfo *out);

// The kernel's last decision for a buffer that just refused something,
// or "" when it cannot be had (or there was no failure to explain).
std::string failure_reason(int device_fd, int dmabuf_fd);

} // namespace cenalloc::detail
