// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// temp_file.hpp - a file with given bytes in a fresh temporary directory,
// removed with it: for the tests that hand files to the readers and the
// tool.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace cen_test {

class TempFile {
public:
	TempFile(const std::string &name, const std::string &bytes)
	{
		std::string tmpl = (std::filesystem::temp_directory_path() /
				    "cenalloc-test.XXXXXX")
					   .string();
		dir_ = ::mkdtemp(tmpl.data());
		path_ = (dir_ / name).string();
		std::ofstream(path_, std::ios::binary) << bytes;
	}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	TempFile(TempFile &&) = delete;
	TempFile &operator=(TempFile &&) = delete;
	~TempFile() { std::filesystem::remove_all(dir_); }
	[[nodiscard]] const std::string &path() const { return path_; }

private:
	std::filesystem::path dir_;
	std::string path_;
};

} // namespace cen_test
