// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// create.hpp - the CREATE ioctl.  Internal.
#pragma once

#include <cstdint>

#include "cenalloc/allocator.hpp"

namespace cenalloc::detail {

// CREATE on @device; the new dma-buf, its id in @id.  Throws Error with
// what each errno means for this spec.
UniqueFd create_buffer(int device, const BufferSpec &spec, std::uint64_t *id);

} // namespace cenalloc::detail
