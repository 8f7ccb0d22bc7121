// SPDX-License-Identifier: GPL-2.0 OR MIT
// The demo's contact sheet and its PNG writer, read back by a decoder
// written here from the specifications (PNG, RFC 1950, RFC 1951 stored
// blocks) rather than from png.cpp: every chunk's CRC, the zlib header and
// Adler-32, each block, each scanline, then the pixels the box filter and
// the borders put on the sheet.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "contact_sheet.hpp"
#include "png.hpp"

using cenalloc::example::ContactSheet;
using cenalloc::example::encode_png_rgb;
using cenalloc::example::FrameView;
using cenalloc::example::kMaxPngSide;
using cenalloc::example::Rgb;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text)
{
	return {text.begin(), text.end()};
}

// Bit by bit, no table: a wrong table in png.cpp cannot hide behind it.
std::uint32_t crc32_bitwise(std::span<const std::uint8_t> bytes)
{
	std::uint32_t c = 0xffffffffU;
	for (const std::uint8_t byte : bytes) {
		c ^= byte;
		for (int bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1U)));
	}
	return ~c;
}

// The sums in 64 bits, reduced once at the end (png.cpp reduces per byte).
std::uint32_t adler32_once(std::span<const std::uint8_t> bytes)
{
	std::uint64_t a = 1;
	std::uint64_t b = 0;
	for (const std::uint8_t byte : bytes) {
		a += byte;
		b += a;
	}
	return static_cast<std::uint32_t>((b % 65521) << 16 | (a % 65521));
}

std::uint32_t be32(std::span<const std::uint8_t> p)
{
	return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
	       std::uint32_t{p[2]} << 8 | p[3];
}

std::uint32_t le16(std::span<const std::uint8_t> p)
{
	return p[0] | std::uint32_t{p[1]} << 8;
}

struct Chunk {
	std::string type;
	Bytes data;
};

// The chunks after the signature, each CRC checked.
std::vector<Chunk> read_chunks(std::span<const std::uint8_t> png)
{
	const Bytes signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	std::vector<Chunk> chunks;
	if (png.size() < signature.size() ||
	    !std::equal(signature.begin(), signature.end(), png.begin())) {
		ADD_FAILURE() << "no PNG signature";
		return chunks;
	}
	std::size_t at = signature.size();
	while (at + 12 <= png.size()) {
		const std::size_t len = be32(png.subspan(at));
		if (at + 12 + len > png.size())
			break;
		const auto type_and_data = png.subspan(at + 4, 4 + len);
		EXPECT_EQ(be32(png.subspan(at + 8 + len)),
			  crc32_bitwise(type_and_data))
			<< "CRC of the chunk at byte " << at;
		chunks.push_back({.type = {type_and_data.begin(),
					   type_and_data.begin() + 4},
				  .data = {type_and_data.begin() + 4,
					   type_and_data.end()}});
		at += 12 + len;
	}
	EXPECT_EQ(at, png.size()) << "bytes after the last whole chunk";
	return chunks;
}

// Inflate a zlib stream made only of stored blocks; nullopt on anything
// else.  After a 2-byte header and stored blocks, each block header starts
// on a byte, and BFINAL, BTYPE and the padding fill it: no bit reader.
std::optional<Bytes> inflate_stored(std::span<const std::uint8_t> z,
				    int *blocks)
{
	if (z.size() < 2 + 5 + 4 || (z[0] & 0x0f) != 8 || (z[0] >> 4) > 7 ||
	    (z[0] * 256 + z[1]) % 31 != 0 || (z[1] & 0x20) != 0)
		return std::nullopt;
	Bytes out;
	std::size_t at = 2;
	bool final = false;
	*blocks = 0;
	while (!final) {
		if (at + 5 > z.size() || ((z[at] >> 1) & 3) != 0)
			return std::nullopt;
		final = (z[at] & 1) != 0;
		const std::size_t len = le16(z.subspan(at + 1));
		if (le16(z.subspan(at + 3)) != (len ^ 0xffff) ||
		    at + 5 + len > z.size())
			return std::nullopt;
		const auto stored = z.subspan(at + 5, len);
		out.insert(out.end(), stored.begin(), stored.end());
		at += 5 + len;
		++*blocks;
	}
	if (at + 4 != z.size() || be32(z.subspan(at)) != adler32_once(out))
		return std::nullopt;
	return out;
}

struct Image {
	std::uint32_t width = 0;
	std::uint32_t height = 0;
	Bytes scanlines; // as inflated, each row behind its filter byte
	Bytes rgb;	 // the same without the filter bytes
	int blocks = 0;

	[[nodiscard]] Rgb at(std::uint32_t x, std::uint32_t y) const
	{
		const std::size_t i = (std::size_t{y} * width + x) * 3;
		return {.r = rgb.at(i), .g = rgb.at(i + 1), .b = rgb.at(i + 2)};
	}
};

// Decode what encode_png_rgb() promises to write, checking all of it.
std::optional<Image> decode(std::span<const std::uint8_t> png)
{
	const std::vector<Chunk> chunks = read_chunks(png);
	if (chunks.size() < 3 || chunks.front().type != "IHDR" ||
	    chunks.back().type != "IEND" || !chunks.back().data.empty()) {
		ADD_FAILURE() << "not IHDR, IDAT..., IEND";
		return std::nullopt;
	}
	const Bytes &ihdr = chunks.front().data;
	const Bytes rgb8 = {8, 2, 0, 0, 0}; // depth, RGB, deflate, no interlace
	if (ihdr.size() != 13 || !std::equal(rgb8.begin(), rgb8.end(),
					     ihdr.begin() + 8)) {
		ADD_FAILURE() << "IHDR is not 8-bit RGB";
		return std::nullopt;
	}
	Image image;
	image.width = be32(ihdr);
	image.height = be32(std::span(ihdr).subspan(4));

	Bytes z;
	for (std::size_t i = 1; i + 1 < chunks.size(); i++) {
		EXPECT_EQ(chunks[i].type, "IDAT");
		z.insert(z.end(), chunks[i].data.begin(), chunks[i].data.end());
	}
	auto scanlines = inflate_stored(z, &image.blocks);
	const std::size_t row = std::size_t{image.width} * 3 + 1;
	if (!scanlines || scanlines->size() != row * image.height) {
		ADD_FAILURE() << "IDAT is not the image's scanlines";
		return std::nullopt;
	}
	image.scanlines = std::move(*scanlines);
	for (std::size_t at = 0; at < image.scanlines.size(); at += row) {
		EXPECT_EQ(image.scanlines[at], 0) << "filter, row " << at / row;
		image.rgb.insert(image.rgb.end(),
				 image.scanlines.begin() +
					 static_cast<std::ptrdiff_t>(at + 1),
				 image.scanlines.begin() +
					 static_cast<std::ptrdiff_t>(at + row));
	}
	return image;
}

// An XRGB8888 frame in memory: B, G, R, X per pixel, rows @pitch apart.
struct Frame {
	std::uint32_t width;
	std::uint32_t height;
	std::uint32_t pitch;
	Bytes bytes;

	Frame(std::uint32_t w, std::uint32_t h, std::uint32_t p)
		// Padding and X bytes are 0xee, to show if they are read.
		: width(w), height(h), pitch(p),
		  bytes(std::size_t{p} * (h - 1) + std::size_t{w} * 4, 0xee)
	{
	}
	void set(std::uint32_t x, std::uint32_t y, Rgb c)
	{
		const std::size_t i =
			std::size_t{y} * pitch + std::size_t{x} * 4;
		bytes[i] = c.b;
		bytes[i + 1] = c.g;
		bytes[i + 2] = c.r;
	}
	[[nodiscard]] FrameView view() const
	{
		return {.data = bytes, .width = width, .height = height,
			.pitch = pitch};
	}
};

// 4x4, R values below, G = 255 - R, B = 7.  Its 2x2 box means are
// R 6, 101.75, 254.75, 2.5 -> 6, 102, 255, 3 (halves round up) and
// G 249, 153.25, 0.25, 252.5 -> 249, 153, 0, 253.
Frame four_by_four(std::uint32_t pitch)
{
	static constexpr std::uint8_t kR[4][4] = {{0, 4, 100, 101},
						  {8, 12, 102, 104},
						  {255, 255, 1, 2},
						  {255, 254, 3, 4}};
	Frame f(4, 4, pitch);
	for (std::uint32_t y = 0; y < 4; y++) {
		for (std::uint32_t x = 0; x < 4; x++) {
			const std::uint8_t r = kR[y][x];
			f.set(x, y,
			      {.r = r, .g = static_cast<std::uint8_t>(255 - r),
			       .b = 7});
		}
	}
	return f;
}

constexpr std::uint32_t kM = ContactSheet::kMargin;
constexpr std::uint32_t kB = ContactSheet::kBorder;
constexpr std::uint32_t kG = ContactSheet::kGap;

// Top left of the border of row 0's captured and shown cells.
constexpr std::uint32_t captured_x = kM;
std::uint32_t shown_x(std::uint32_t thumb_width)
{
	return kM + thumb_width + 2 * kB + kG;
}

} // namespace

TEST(Png, ReferenceChecksumsAreRight)
{
	EXPECT_EQ(crc32_bitwise(bytes_of("123456789")), 0xcbf43926U);
	EXPECT_EQ(adler32_once(bytes_of("Wikipedia")), 0x11e60398U);
}

TEST(Png, SmallImageIsItsScanlines)
{
	const Bytes rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9,
			   10, 11, 12, 13, 14, 15, 16, 17, 18};
	const Bytes png = encode_png_rgb(3, 2, rgb);
	const auto image = decode(png);
	ASSERT_TRUE(image);
	EXPECT_EQ(image->width, 3U);
	EXPECT_EQ(image->height, 2U);
	EXPECT_EQ(image->blocks, 1);
	const Bytes expected = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
				0, 10, 11, 12, 13, 14, 15, 16, 17, 18};
	EXPECT_EQ(image->scanlines, expected);
}

TEST(Png, LargeImagesSpanSeveralStoredBlocks)
{
	// 28x1542: 1542 rows of 85 bytes are exactly two full blocks of
	// 65535, the edge where an empty third block could slip in.  200x120
	// is 72120 bytes: one full block and a partial one.
	for (const auto &[w, h] :
	     {std::pair{28U, 1542U}, std::pair{200U, 120U}}) {
		Bytes rgb(std::size_t{w} * h * 3);
		for (std::size_t i = 0; i < rgb.size(); i++)
			rgb[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
		const auto image = decode(encode_png_rgb(w, h, rgb));
		ASSERT_TRUE(image) << w << "x" << h;
		EXPECT_EQ(image->blocks, 2) << w << "x" << h;
		EXPECT_EQ(image->rgb, rgb) << w << "x" << h;
	}
}

TEST(Png, RefusesInvalidInput)
{
	const Bytes six(6);
	EXPECT_TRUE(encode_png_rgb(0, 2, six).empty());
	EXPECT_TRUE(encode_png_rgb(2, 0, six).empty());
	EXPECT_TRUE(encode_png_rgb(1, 1, six).empty()); // too many bytes
	EXPECT_TRUE(encode_png_rgb(3, 1, six).empty()); // too few
	EXPECT_FALSE(encode_png_rgb(2, 1, six).empty());

	const std::size_t widest = std::size_t{kMaxPngSide} * 3;
	const Bytes line(widest + 3); // kMaxPngSide + 1 pixels
	EXPECT_TRUE(encode_png_rgb(kMaxPngSide + 1, 1, line).empty());
	EXPECT_TRUE(encode_png_rgb(1, kMaxPngSide + 1, line).empty());
	EXPECT_FALSE(encode_png_rgb(kMaxPngSide, 1,
				    std::span(line).first(widest)).empty());
}

TEST(ContactSheet, BoxFilterAveragesAndHonoursPitch)
{
	// Tightly packed, and with 12 bytes of padding after every row.
	for (const std::uint32_t pitch : {16U, 28U}) {
		const Frame frame = four_by_four(pitch);
		ContactSheet sheet(2);
		ASSERT_TRUE(sheet.add(frame.view(), frame.view(), true));
		const auto image = decode(sheet.png());
		ASSERT_TRUE(image);
		EXPECT_EQ(image->width, 2 * kM + 2 * (2 + 2 * kB) + kG);
		EXPECT_EQ(image->height, 2 * kM + 2 + 2 * kB);
		for (const std::uint32_t x0 : {captured_x, shown_x(2)}) {
			const std::uint32_t x = x0 + kB;
			const std::uint32_t y = kM + kB;
			EXPECT_EQ(image->at(x, y), (Rgb{6, 249, 7})) << pitch;
			EXPECT_EQ(image->at(x + 1, y), (Rgb{102, 153, 7}));
			EXPECT_EQ(image->at(x, y + 1), (Rgb{255, 0, 7}));
			EXPECT_EQ(image->at(x + 1, y + 1), (Rgb{3, 253, 7}));
		}
	}
}

TEST(ContactSheet, FullHdFrameKeepsItsGeometry)
{
	// 1920x1080 with a pitch of 8192, every 6x6 block one colour naming
	// its place, so each pixel of a 320x180 thumbnail is known.  The
	// shown frame is 640x480, so its thumbnail (320x240) sets the row.
	Frame big(1920, 1080, 8192);
	for (std::uint32_t y = 0; y < big.height; y++)
		for (std::uint32_t x = 0; x < big.width; x++)
			big.set(x, y, {.r = static_cast<std::uint8_t>(x / 6),
				       .g = static_cast<std::uint8_t>(y / 6),
				       .b = static_cast<std::uint8_t>(
					       (x / 6) ^ (y / 6))});
	Frame small(640, 480, 640 * 4);
	ContactSheet sheet;
	ASSERT_TRUE(sheet.add(big.view(), small.view(), false));
	const auto image = decode(sheet.png());
	ASSERT_TRUE(image);
	EXPECT_EQ(image->width, 2 * kM + 2 * (320 + 2 * kB) + kG);
	EXPECT_EQ(image->height, 2 * kM + 240 + 2 * kB);
	for (std::uint32_t ty = 0; ty < 180; ty++)
		for (std::uint32_t tx = 0; tx < 320; tx++)
			ASSERT_EQ(image->at(captured_x + kB + tx, kM + kB + ty),
				  (Rgb{static_cast<std::uint8_t>(tx),
				       static_cast<std::uint8_t>(ty),
				       static_cast<std::uint8_t>(tx ^ ty)}))
				<< tx << "," << ty;
	// The shown frame is all 0xee; its border is red down to row 240,
	// the shorter captured thumbnail's ends with background below.
	const std::uint32_t left = shown_x(320);
	EXPECT_EQ(image->at(left + kB, kM + kB + 239), (Rgb{0xee, 0xee, 0xee}));
	EXPECT_EQ(image->at(left, kM + kB + 240), ContactSheet::kMismatched);
	EXPECT_EQ(image->at(captured_x, kM + kB + 180),
		  ContactSheet::kMismatched);
	EXPECT_EQ(image->at(captured_x, kM + 180 + 2 * kB),
		  ContactSheet::kBackground);
}

TEST(ContactSheet, BordersAreGreenWhenMatchedRedWhenNot)
{
	const Frame frame = four_by_four(16);
	ContactSheet sheet(2);
	ASSERT_TRUE(sheet.add(frame.view(), frame.view(), true));
	ASSERT_TRUE(sheet.add(frame.view(), frame.view(), false));
	EXPECT_EQ(sheet.rows(), 2U);
	const auto image = decode(sheet.png());
	ASSERT_TRUE(image);
	const std::uint32_t cell = 2 + 2 * kB; // thumbnail and its border
	EXPECT_EQ(image->height, 2 * kM + 2 * cell + kG);
	for (std::uint32_t row = 0; row < 2; row++) {
		const Rgb want = row == 0 ? ContactSheet::kMatched
					  : ContactSheet::kMismatched;
		const std::uint32_t top = kM + row * (cell + kG);
		for (const std::uint32_t left : {captured_x, shown_x(2)}) {
			EXPECT_EQ(image->at(left, top), want) << row;
			EXPECT_EQ(image->at(left + cell - 1, top + cell - 1),
				  want) << row;
			EXPECT_EQ(image->at(left + kB - 1, top + kB), want);
			EXPECT_EQ(image->at(left + kB, top + kB),
				  (Rgb{6, 249, 7})) << row;
			EXPECT_EQ(image->at(left - 1, top),
				  ContactSheet::kBackground) << row;
		}
	}
	EXPECT_EQ(image->at(0, 0), ContactSheet::kBackground);
	EXPECT_EQ(image->at(captured_x, kM + cell), // the gap between rows
		  ContactSheet::kBackground);
}

TEST(ContactSheet, RefusesInvalidFrames)
{
	const Frame good = four_by_four(16);
	FrameView bad = good.view();
	ContactSheet sheet(2);

	bad.width = 0;
	EXPECT_FALSE(sheet.add(bad, good.view(), true));
	bad = good.view();
	bad.height = 0;
	EXPECT_FALSE(sheet.add(good.view(), bad, true));
	bad = good.view();
	bad.pitch = 15; // below width * 4
	EXPECT_FALSE(sheet.add(bad, good.view(), true));
	bad = good.view();
	bad.data = bad.data.first(bad.data.size() - 1);
	EXPECT_FALSE(sheet.add(good.view(), bad, true));
	// A 1x3000 frame would make a 2x6000 thumbnail.
	const Frame tall(1, 3000, 4);
	EXPECT_FALSE(sheet.add(tall.view(), good.view(), true));
	EXPECT_EQ(sheet.rows(), 0U);
	EXPECT_TRUE(sheet.png().empty());

	ContactSheet no_width(0);
	EXPECT_FALSE(no_width.add(good.view(), good.view(), true));
	ContactSheet too_wide(ContactSheet::kMaxThumbSide + 1);
	EXPECT_FALSE(too_wide.add(good.view(), good.view(), true));
}

TEST(ContactSheet, TooTallForPngGivesNothing)
{
	// 1x4096 frames at thumbnail width 1: rows 4104 high.  Three fit
	// in kMaxPngSide, four do not.
	const Frame thin(1, 4096, 4);
	ContactSheet sheet(1);
	for (int i = 0; i < 3; i++)
		ASSERT_TRUE(sheet.add(thin.view(), thin.view(), true));
	EXPECT_FALSE(sheet.png().empty());
	ASSERT_TRUE(sheet.add(thin.view(), thin.view(), true));
	EXPECT_TRUE(sheet.png().empty());
}
