// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "table.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

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
	if (bytes < 1024)
		return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
	double v = static_cast<double>(bytes);
	std::size_t unit = 0;
	for (v /= 1024; v >= 1024 && unit + 1 < kUnits.size(); v /= 1024)
		unit++;
	std::array<char, 32> buf{};
	std::snprintf(buf.data(), buf.size(), v < 10 ? "%.2f %s" : "%.1f %s",
		      v, kUnits[unit]);
	std::string s = buf.data();
	// "4.00 MiB" reads better as "4 MiB".
	if (auto dot = s.find('.'); dot != std::string::npos) {
		auto sp = s.find(' ');
		if (s.find_first_not_of('0', dot + 1) == sp)
			s.erase(dot, sp - dot);
	}
	return s;
}

} // namespace cenalloc::tool
