// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// invalid_input.hpp - a JSON document that cannot be used, and where.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace cenalloc::platform {

// @where: a JSON path ("devices[2].max_seg_size"), "line 3, column 7" for
// syntax errors, or "" for the document as a whole; @problem: what is
// wrong, in words.  what() is "where: problem", prefixed by the file name
// once the reader knows it.
class InvalidInput : public std::runtime_error {
public:
	InvalidInput(std::string where, std::string problem)
		: std::runtime_error(where.empty() ? problem
						   : where + ": " + problem),
		  where_(std::move(where)), problem_(std::move(problem))
	{
	}

	[[nodiscard]] const std::string &where() const noexcept
	{
		return where_;
	}
	[[nodiscard]] const std::string &problem() const noexcept
	{
		return problem_;
	}

private:
	std::string where_;
	std::string problem_;
};

} // namespace cenalloc::platform
