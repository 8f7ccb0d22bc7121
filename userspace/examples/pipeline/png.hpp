// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// png.hpp - a PNG writer with no library behind it.
//
// The pipeline demo is also built static for arm64 and run inside a
// busybox VM, where there is no libpng or zlib; a contact sheet is written
// rarely and read by a person, so size matters less than being obviously
// right.  The image goes out as stored (uncompressed) deflate blocks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace cenalloc::example {

// Largest width or height encode_png_rgb() takes: a whole image stays one
// IDAT chunk (PNG caps a chunk at 2^31 - 1 bytes) and one allocation.
inline constexpr std::uint32_t kMaxPngSide = 16384;

// A complete PNG file of an 8-bit RGB image (colour type 2, no
// interlace, every scanline with filter 0).  @rgb holds the rows top to
// bottom, each @width * 3 bytes R,G,B with no padding.  Empty if a side is
// 0 or above kMaxPngSide, or @rgb is not exactly width * height * 3 bytes.
[[nodiscard]] std::vector<std::uint8_t>
encode_png_rgb(std::uint32_t width, std::uint32_t height,
	       std::span<const std::uint8_t> rgb);

} // namespace cenalloc::example
