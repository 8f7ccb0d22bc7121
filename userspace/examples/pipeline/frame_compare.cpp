// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "frame_compare.hpp"

#include <cstring>

namespace cenalloc::example {

namespace {

bool fits(const FrameView &f)
{
	const std::uint64_t row = std::uint64_t{f.width} * 4;
	return f.width && f.height && f.pitch >= row &&
	       f.data.size() >= std::uint64_t{f.pitch} * (f.height - 1) + row;
}

} // namespace

FrameMatch compare_rgb(const FrameView &captured, const FrameView &shown)
{
	FrameMatch m;
	if (captured.width != shown.width || captured.height != shown.height ||
	    !fits(captured) || !fits(shown))
		return m;
	const std::uint8_t *first = captured.data.data();
	for (std::uint32_t y = 0; y < captured.height; y++) {
		const std::uint8_t *a = first + std::size_t{y} * captured.pitch;
		const std::uint8_t *b = shown.data.data() +
					std::size_t{y} * shown.pitch;
		for (std::uint32_t x = 0; x < captured.width * 4; x += 4) {
			m.differing += std::memcmp(a + x, b + x, 3) != 0;
			m.patterned |= std::memcmp(a + x, first, 3) != 0;
		}
	}
	m.same = m.differing == 0;
	return m;
}

} // namespace cenalloc::example
