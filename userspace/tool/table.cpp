// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "table.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace cenalloc::tool {

Table::Table(std::vector<std::string> headings) : headings_(std::move(headings))
{
}

void Table::add(std::vector<std::string> cells)
{
	cells.resize(headings_.size());
	rows_.push_back(std::move(cells));
}

void Table::print(std::ostream &out, const std::string &indent) const
{
	std::vector<std::size_t> width(headings_.size());
	auto measure = [&width](const std::vector<std::string> &row) {
		for (std::size_t i = 0; i < row.size(); i++)
			width[i] = std::max(width[i], row[i].size());
	};
	auto emit = [&](const std::vector<std::string> &row) {
		std::string line = indent;
		for (std::size_t i = 0; i < row.size(); i++) {
			line += row[i];
			if (i + 1 < row.size())
				line += std::string(width[i] - row[i].size() + 2,
						    ' ');
		}
		while (!line.empty() && line.back() == ' ')
			line.pop_back();
		out << line << "\n";
	};

	measure(headings_);
	for (const auto &row : rows_)
		measure(row);
	emit(headings_);
	for (const auto &row : rows_)
		emit(row);
}

std::string human_bytes(std::uint64_t bytes)
{
	static constexpr std::array<const char *, 5> kUnits = {
		"KiB", "MiB", "GiB", "TiB", "PiB"};
	std::size_t unit = 0;
	std::uint64_t scale = 1024;

	if (bytes < 1024)
		return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
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

} // namespace cenalloc::tool
