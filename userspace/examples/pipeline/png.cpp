// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A PNG file is the signature, then chunks: length, type, data, and the
// CRC-32 of type and data.  IHDR says what the pixels are, one IDAT holds
// them as a zlib stream, IEND ends the file.  The zlib stream (RFC 1950) is
// a two-byte header, deflate blocks (RFC 1951) and the Adler-32 of what
// they hold.  Only stored blocks are written: a length, its complement and
// the bytes as they are, which any inflater reads and anyone can check.
#include "png.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace cenalloc::example {

namespace {

using Bytes = std::vector<std::uint8_t>;

// CRC-32 as PNG and zlib define it: reflected polynomial 0xedb88320,
// register preset to ~0 and inverted at the end.
constexpr std::array<std::uint32_t, 256> make_crc_table()
{
	std::array<std::uint32_t, 256> table{};
	for (std::uint32_t n = 0; n < table.size(); n++) {
		std::uint32_t c = n;
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1U) ? 0xedb88320U ^ (c >> 1) : c >> 1;
		table[n] = c;
	}
	return table;
}

constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

std::uint32_t crc32(std::span<const std::uint8_t> bytes)
{
	std::uint32_t c = 0xffffffffU;
	for (const std::uint8_t byte : bytes)
		c = kCrcTable[(c ^ byte) & 0xffU] ^ (c >> 8);
	return c ^ 0xffffffffU;
}

// Adler-32: two running sums modulo 65521.  Reducing after every byte is
// slower than zlib's batching, but it is the definition and cannot overflow.
std::uint32_t adler32(std::span<const std::uint8_t> bytes)
{
	constexpr std::uint32_t kModulus = 65521;
	std::uint32_t a = 1;
	std::uint32_t b = 0;
	for (const std::uint8_t byte : bytes) {
		a = (a + byte) % kModulus;
		b = (b + a) % kModulus;
	}
	return (b << 16) | a;
}

// PNG and zlib numbers are big-endian; deflate's are little-endian.
void put_be32(Bytes &out, std::uint32_t v)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_le16(Bytes &out, std::uint16_t v)
{
	out.push_back(static_cast<std::uint8_t>(v));
	out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put_chunk(Bytes &out, std::string_view type,
	       std::span<const std::uint8_t> data)
{
	put_be32(out, static_cast<std::uint32_t>(data.size()));
	const std::size_t crc_from = out.size();
	out.insert(out.end(), type.begin(), type.end());
	out.insert(out.end(), data.begin(), data.end());
	const std::uint32_t crc = crc32(std::span(out).subspan(crc_from));
	put_be32(out, crc);
}

// What PNG compresses: every row behind its filter-type byte (0, none).
Bytes filtered_scanlines(std::uint32_t width, std::uint32_t height,
			 std::span<const std::uint8_t> rgb)
{
	const std::size_t row = std::size_t{width} * 3;
	Bytes out;
	out.reserve((row + 1) * height);
	for (std::size_t y = 0; y < height; y++) {
		out.push_back(0);
		const auto line = rgb.subspan(y * row, row);
		out.insert(out.end(), line.begin(), line.end());
	}
	return out;
}

Bytes zlib_stored(std::span<const std::uint8_t> data)
{
	constexpr std::size_t kMaxBlock = 0xffff; // LEN is 16 bits
	// CMF 0x78: deflate, 32 KiB window.  FLG 0x01: no preset dictionary,
	// level "fastest", and (CMF * 256 + FLG) a multiple of 31 as required.
	Bytes out{0x78, 0x01};
	out.reserve(data.size() + (data.size() / kMaxBlock + 1) * 5 + 6);
	std::size_t pos = 0;
	do {
		const std::size_t len = std::min(kMaxBlock, data.size() - pos);
		const bool last = pos + len == data.size();
		// BFINAL is bit 0, BTYPE (00, stored) bits 1-2; the other five
		// bits pad to the byte boundary that LEN starts on.
		out.push_back(last ? 1 : 0);
		put_le16(out, static_cast<std::uint16_t>(len));
		put_le16(out, static_cast<std::uint16_t>(~len));
		const auto block = data.subspan(pos, len);
		out.insert(out.end(), block.begin(), block.end());
		pos += len;
	} while (pos < data.size());
	put_be32(out, adler32(data));
	return out;
}

} // namespace

std::vector<std::uint8_t> encode_png_rgb(std::uint32_t width,
					 std::uint32_t height,
					 std::span<const std::uint8_t> rgb)
{
	if (width == 0 || height == 0 || width > kMaxPngSide ||
	    height > kMaxPngSide ||
	    rgb.size() != std::size_t{width} * height * 3)
		return {};

	static constexpr std::array<std::uint8_t, 8> kSignature = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	Bytes png(kSignature.begin(), kSignature.end());

	Bytes ihdr;
	put_be32(ihdr, width);
	put_be32(ihdr, height);
	// Bit depth 8, colour type 2 (RGB), deflate, filter set 0, no
	// interlace.
	ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
	put_chunk(png, "IHDR", ihdr);
	put_chunk(png, "IDAT",
		  zlib_stored(filtered_scanlines(width, height, rgb)));
	put_chunk(png, "IEND", {});
	return png;
}

} // namespace cenalloc::example
