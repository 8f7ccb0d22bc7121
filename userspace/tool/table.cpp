// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "table.hpp"

#include <algorithm>

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

} // namespace cenalloc::tool
