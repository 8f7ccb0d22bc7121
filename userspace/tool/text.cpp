// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "text.hpp"

#include <algorithm>
#include <array>

namespace cenalloc::tool {

std::string human_bytes(std::uint64_t bytes)
{
	static constexpr std::array<const char *, 5> kUnits = {
		"KiB", "MiB", "GiB", "TiB", "PiB"};
	std::size_t unit = 0;
	std::uint64_t scale = 1024;

	if (bytes < 1024)
		return count_text(bytes, "byte", "bytes");
	while (unit + 1 < kUnits.size() && bytes / scale >= 1024) {
		scale *= 1024;
		unit++;
	}
	// Three significant digits, in integers: "3.96 MiB", "15.8 MiB",
	// "812 KiB"; trailing zeros dropped ("4 MiB").
	const std::uint64_t whole = bytes / scale;
	const unsigned decimals = whole < 10 ? 2 : whole < 100 ? 1 : 0;
	std::uint64_t frac_scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		frac_scale *= 10;
	// Rounded down, so a value never reads larger than it is.
	const std::uint64_t frac = (bytes % scale) * frac_scale / scale;
	std::string digits = std::to_string(frac);
	digits.insert(0, decimals - std::min<std::size_t>(decimals, digits.size()), '0');
	while (!digits.empty() && digits.back() == '0')
		digits.pop_back();
	return std::to_string(whole) + (digits.empty() ? "" : "." + digits) +
	       " " + kUnits[unit];
}

std::string bytes_text(std::uint64_t bytes)
{
	std::string exact = format_bytes(bytes);

	// format_bytes() falls back to bytes when no unit divides evenly.
	if (bytes < 1024 || !exact.ends_with("bytes"))
		return exact;
	return exact + " (" + human_bytes(bytes) + ")";
}

std::string size_text(std::uint64_t bytes)
{
	const std::string exact = count_text(bytes, "byte", "bytes");

	return bytes < 1024 ? exact : exact + " (" + human_bytes(bytes) + ")";
}

std::string count_text(std::uint64_t n, std::string_view one,
		       std::string_view many)
{
	return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string field_text(const Constraints &c, Field f)
{
	if (f == Field::align && c.get(f).value_or(0) <= 1)
		return "any";
	return c.value_text(f);
}

std::string constraint_list(const Constraints &c, bool sources)
{
	std::string s;

	for (Field f : kAllFields) {
		if (!c.has(f))
			continue;
		s += (s.empty() ? "" : ", ") + std::string(to_string(f)) + " " +
		     field_text(c, f);
		if (sources)
			s += " (" + std::string(to_string(c.source(f))) + ")";
	}
	return s.empty() ? "nothing constrained" : s;
}

} // namespace cenalloc::tool
