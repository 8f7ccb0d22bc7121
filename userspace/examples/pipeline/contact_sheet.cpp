// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// add() turns both frames into thumbnails at once and keeps only those;
// png() lays the rows out on a canvas of the background colour, draws each
// border as a filled rectangle and the thumbnail over its middle, and
// encodes the canvas.
#include "contact_sheet.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "png.hpp"

namespace cenalloc::example {

namespace {

bool is_valid(const FrameView &frame)
{
	if (frame.width == 0 || frame.height == 0)
		return false;
	const std::uint64_t row = std::uint64_t{frame.width} * 4;
	return frame.pitch >= row &&
	       frame.data.size() >=
		       std::uint64_t{frame.pitch} * (frame.height - 1) + row;
}

// The height that keeps @frame's aspect ratio at @width, to the nearest
// pixel and at least one.
std::uint64_t scaled_height(const FrameView &frame, std::uint32_t width)
{
	const std::uint64_t height =
		(std::uint64_t{width} * frame.height + frame.width / 2) /
		frame.width;
	return std::max<std::uint64_t>(height, 1);
}

// Source pixels [first, last) behind output pixel @i when @in pixels
// become @out.  Shrinking, the ranges tile the source exactly, so every
// source pixel is counted once; enlarging, a range is the one nearest
// pixel.
struct Range {
	std::size_t first;
	std::size_t last;
};

Range source_range(std::size_t i, std::size_t out, std::size_t in)
{
	const std::size_t first = i * in / out;
	return {first, std::max(first + 1, (i + 1) * in / out)};
}

// Append the mean of the box as R, G, B, each rounded to nearest (halves
// up).  Memory holds B, G, R, X; X carries nothing and is skipped.
void append_mean(const FrameView &frame, Range xs, Range ys,
		 std::vector<std::uint8_t> &rgb)
{
	std::array<std::uint64_t, 3> sum{}; // B, G, R
	for (std::size_t y = ys.first; y < ys.last; y++) {
		const auto row = frame.data.subspan(y * frame.pitch);
		for (std::size_t x = xs.first; x < xs.last; x++)
			for (std::size_t c = 0; c < sum.size(); c++)
				sum[c] += row[x * 4 + c];
	}
	const std::uint64_t n = (xs.last - xs.first) * (ys.last - ys.first);
	for (const std::size_t c : {2, 1, 0})
		rgb.push_back(static_cast<std::uint8_t>((sum[c] + n / 2) / n));
}

RgbImage box_downscale(const FrameView &frame, std::uint32_t width,
		       std::uint32_t height)
{
	RgbImage thumb{.width = width, .height = height, .rgb = {}};
	thumb.rgb.reserve(std::size_t{width} * height * 3);
	for (std::uint32_t y = 0; y < height; y++) {
		const Range ys = source_range(y, height, frame.height);
		for (std::uint32_t x = 0; x < width; x++)
			append_mean(frame, source_range(x, width, frame.width),
				    ys, thumb.rgb);
	}
	return thumb;
}

void fill_rect(RgbImage &canvas, std::uint32_t x0, std::uint32_t y0,
	       std::uint32_t width, std::uint32_t height, Rgb colour)
{
	for (std::size_t y = y0; y < y0 + height; y++) {
		const std::size_t at = (y * canvas.width + x0) * 3;
		for (std::size_t x = 0; x < width; x++) {
			canvas.rgb[at + x * 3] = colour.r;
			canvas.rgb[at + x * 3 + 1] = colour.g;
			canvas.rgb[at + x * 3 + 2] = colour.b;
		}
	}
}

// The thumbnail with its border; (x0, y0) is the border's top left.
void draw_framed(RgbImage &canvas, std::uint32_t x0, std::uint32_t y0,
		 const RgbImage &thumb, Rgb border)
{
	constexpr std::uint32_t b = ContactSheet::kBorder;
	fill_rect(canvas, x0, y0, thumb.width + 2 * b, thumb.height + 2 * b,
		  border);
	const std::size_t line = std::size_t{thumb.width} * 3;
	for (std::size_t y = 0; y < thumb.height; y++) {
		const std::size_t at =
			((y0 + b + y) * canvas.width + x0 + b) * 3;
		std::ranges::copy(std::span(thumb.rgb).subspan(y * line, line),
				  std::span(canvas.rgb).subspan(at).begin());
	}
}

} // namespace

bool ContactSheet::add(const FrameView &captured, const FrameView &shown,
		       bool matched)
{
	if (thumb_width_ == 0 || thumb_width_ > kMaxThumbSide ||
	    !is_valid(captured) || !is_valid(shown))
		return false;
	const std::uint64_t captured_height =
		scaled_height(captured, thumb_width_);
	const std::uint64_t shown_height = scaled_height(shown, thumb_width_);
	if (std::max(captured_height, shown_height) > kMaxThumbSide)
		return false;
	Row row;
	row.captured = box_downscale(
		captured, thumb_width_,
		static_cast<std::uint32_t>(captured_height));
	row.shown = box_downscale(shown, thumb_width_,
				  static_cast<std::uint32_t>(shown_height));
	row.matched = matched;
	rows_.push_back(std::move(row));
	return true;
}

std::vector<std::uint8_t> ContactSheet::png() const
{
	if (rows_.empty())
		return {};
	const std::uint32_t cell_width = thumb_width_ + 2 * kBorder;
	const std::uint32_t width = 2 * kMargin + 2 * cell_width + kGap;
	// 64 bits: kMaxThumbSide bounds a row, nothing bounds the rows.
	std::uint64_t height = std::uint64_t{kMargin} * 2;
	height += std::uint64_t{rows_.size() - 1} * kGap;
	for (const Row &row : rows_)
		height += std::max(row.captured.height, row.shown.height) +
			  2 * kBorder;
	if (height > kMaxPngSide)
		return {};

	RgbImage canvas{.width = width,
			.height = static_cast<std::uint32_t>(height),
			.rgb = {}};
	canvas.rgb.resize(std::size_t{canvas.width} * canvas.height * 3);
	fill_rect(canvas, 0, 0, canvas.width, canvas.height, kBackground);
	std::uint32_t y = kMargin;
	for (const Row &row : rows_) {
		const Rgb border = row.matched ? kMatched : kMismatched;
		draw_framed(canvas, kMargin, y, row.captured, border);
		draw_framed(canvas, kMargin + cell_width + kGap, y, row.shown,
			    border);
		y += std::max(row.captured.height, row.shown.height) +
		     2 * kBorder + kGap;
	}
	return encode_png_rgb(canvas.width, canvas.height, canvas.rgb);
}

} // namespace cenalloc::example
