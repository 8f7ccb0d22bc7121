// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "printable.hpp"

#include <cstdint>

namespace cenalloc::platform {

namespace {

std::string hex_escape(char prefix, unsigned value, int digits)
{
	constexpr std::string_view kHex = "0123456789abcdef";
	std::string out = {'\\', prefix};

	for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
		out += kHex[(value >> static_cast<unsigned>(shift)) & 0xfU];
	return out;
}

// The length of the well-formed UTF-8 sequence at the start of @s (as
// Unicode defines it: no overlong forms, no surrogates, at most
// U+10FFFF), or 0 when there is none.
std::size_t utf8_length(std::string_view s)
{
	const auto byte = [&s](std::size_t i) {
		return static_cast<std::uint8_t>(s[i]);
	};
	const std::uint8_t lead = byte(0);
	std::size_t n = 0;
	std::uint8_t lo = 0x80;
	std::uint8_t hi = 0xbf;

	if (lead >= 0xc2 && lead <= 0xdf)
		n = 2;
	else if (lead >= 0xe0 && lead <= 0xef)
		n = 3;
	else if (lead >= 0xf0 && lead <= 0xf4)
		n = 4;
	else
		return 0;
	if (lead == 0xe0)
		lo = 0xa0;
	else if (lead == 0xed)
		hi = 0x9f;
	else if (lead == 0xf0)
		lo = 0x90;
	else if (lead == 0xf4)
		hi = 0x8f;
	if (s.size() < n || byte(1) < lo || byte(1) > hi)
		return 0;
	for (std::size_t i = 2; i < n; i++)
		if (byte(i) < 0x80 || byte(i) > 0xbf)
			return 0;
	return n;
}

// One character of @s (at least one byte) as a terminal may show it;
// *used says how many bytes of @s it took.
std::string one_char(std::string_view s, bool quoting, std::size_t *used)
{
	const auto c = static_cast<std::uint8_t>(s[0]);

	*used = 1;
	switch (c) {
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '"':
	case '\\':
		return quoting ? std::string{'\\', s[0]} : std::string(1, s[0]);
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		return hex_escape('x', c, 2);
	if (c < 0x80)
		return std::string(1, s[0]);
	const std::size_t n = utf8_length(s);
	if (n == 0)
		return hex_escape('x', c, 2);
	*used = n;
	// U+0080..U+009F are the C1 controls (U+009B is a CSI).
	if (c == 0xc2 && static_cast<std::uint8_t>(s[1]) < 0xa0)
		return hex_escape('u', static_cast<std::uint8_t>(s[1]), 4);
	return std::string(s.substr(0, n));
}

// printable() without the cut marker; *cut says whether it cut.
std::string escape(std::string_view text, std::size_t limit, bool quoting,
		   bool *cut)
{
	std::string out;
	std::size_t i = 0;

	while (i < text.size() && i < limit) {
		std::size_t used = 0;
		out += one_char(text.substr(i), quoting, &used);
		i += used;
	}
	*cut = i < text.size();
	return out;
}

} // namespace

std::string printable(std::string_view text, std::size_t limit)
{
	bool cut = false;
	std::string out = escape(text, limit, false, &cut);

	return cut ? out + "..." : out;
}

std::string in_quotes(std::string_view text, std::size_t limit)
{
	bool cut = false;
	const std::string out = escape(text, limit, true, &cut);

	if (!cut)
		return "\"" + out + "\"";
	return "\"" + out + "...\" (" + std::to_string(text.size()) + " bytes)";
}

} // namespace cenalloc::platform
