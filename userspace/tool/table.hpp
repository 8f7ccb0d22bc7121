// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// table.hpp - aligned text columns for the human-readable output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cenalloc::tool {

class Table {
public:
	explicit Table(std::vector<std::string> headings);

	// One row, a cell per heading.
	void add(std::vector<std::string> cells);
	[[nodiscard]] bool empty() const noexcept { return rows_.empty(); }
	// Columns padded to their widest cell, two spaces apart, each line
	// prefixed by @indent; the last column is not padded.
	void print(std::ostream &out, const std::string &indent = "") const;

private:
	std::vector<std::string> headings_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace cenalloc::tool
