// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// contact_sheet.hpp - what the camera captured next to what the display
// showed, as one PNG a person can open.
//
// Each pair of frames becomes a row of two thumbnails, framed green when
// the demo found them matching and red when not.  Thumbnails are box
// filtered (each pixel the average of the pixels it stands for), so a
// thin line of wrong pixels still shows as a tint instead of falling
// between samples.  Standard C++ only: the in-VM tests link it statically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cenalloc::example {

// One XRGB8888 frame where it lies in memory: each pixel is the bytes
// B, G, R, X (DRM_FORMAT_XRGB8888 is little-endian), rows @pitch bytes
// apart.  The last row needs only width * 4 bytes.
struct FrameView {
	std::span<const std::uint8_t> data;
	std::uint32_t width = 0;
	std::uint32_t height = 0;
	std::uint32_t pitch = 0; // bytes, at least width * 4
};

// A mapping's bytes (libcenalloc hands out std::byte) as a FrameView's.
inline std::span<const std::uint8_t> as_u8(std::span<const std::byte> b)
{
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
	return {reinterpret_cast<const std::uint8_t *>(b.data()), b.size()};
}

struct Rgb {
	std::uint8_t r = 0;
	std::uint8_t g = 0;
	std::uint8_t b = 0;
	bool operator==(const Rgb &) const = default;
};

// 8-bit R, G, B pixels, rows top down with no padding: what
// encode_png_rgb() takes.
struct RgbImage {
	std::uint32_t width = 0;
	std::uint32_t height = 0;
	std::vector<std::uint8_t> rgb;
};

class ContactSheet {
public:
	// Layout in sheet pixels.  Across, each row is: margin, border +
	// captured + border, gap, border + shown + border, margin.  Down: a
	// margin above the first row and below the last, a gap between
	// rows.  Each border hugs its own thumbnail; both are top-aligned.
	static constexpr std::uint32_t kMargin = 16;
	static constexpr std::uint32_t kGap = 16;
	static constexpr std::uint32_t kBorder = 4;
	static constexpr std::uint32_t kMaxThumbSide = 4096;
	static constexpr Rgb kBackground{.r = 64, .g = 64, .b = 64};
	static constexpr Rgb kMatched{.r = 0, .g = 200, .b = 0};
	static constexpr Rgb kMismatched{.r = 220, .g = 0, .b = 0};

	// Thumbnails @thumb_width pixels wide (1 to kMaxThumbSide; add()
	// refuses everything otherwise), as tall as each frame's aspect
	// ratio makes them.
	explicit ContactSheet(std::uint32_t thumb_width = 320) noexcept
		: thumb_width_(thumb_width)
	{
	}

	// Add a row.  Both frames are downscaled here, so their buffers may
	// be unmapped or reused once add() returns.  false, and the sheet
	// unchanged, if either view is inconsistent (a side of 0, pitch below
	// width * 4, data too short) or its thumbnail would be taller than
	// kMaxThumbSide.
	[[nodiscard]] bool add(const FrameView &captured,
			       const FrameView &shown, bool matched);

	[[nodiscard]] std::size_t rows() const noexcept { return rows_.size(); }

	// The sheet as a PNG file (8-bit RGB).  Empty when there are no rows
	// or the sheet would exceed kMaxPngSide (png.hpp).
	[[nodiscard]] std::vector<std::uint8_t> png() const;

private:
	struct Row {
		RgbImage captured;
		RgbImage shown;
		bool matched = false;
	};

	std::uint32_t thumb_width_;
	std::vector<Row> rows_;
};

} // namespace cenalloc::example
