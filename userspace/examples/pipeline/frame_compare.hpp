// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Did the display show what the camera captured?  Compares two XRGB8888
// frames pixel by pixel on R, G and B (X is the display's to fill).
#pragma once

#include <cstdint>

#include "contact_sheet.hpp"	// FrameView

namespace cenalloc::example {

struct FrameMatch {
	bool same = false;	// every pixel's R, G, B equal
	bool patterned = false;	// not all one colour: a blank frame proves nothing
	std::uint64_t differing = 0;	// pixels that differ

	// What counts as a frame verified.
	[[nodiscard]] bool verified() const { return same && patterned; }
};

// @shown against @captured; different sizes never match.
[[nodiscard]] FrameMatch compare_rgb(const FrameView &captured,
				     const FrameView &shown);

} // namespace cenalloc::example
