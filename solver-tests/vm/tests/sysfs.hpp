// SPDX-License-Identifier: GPL-2.0
//
// Reading and writing the small text files of sysfs, debugfs, tracefs and
// cgroupfs from the in-VM tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace cen::vm {

inline std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream s;
	s << f.rdbuf();
	return s.str();
}

// True when the whole text reached the file (the kernel may refuse it).
inline bool write_file(const std::string &path, const std::string &text)
{
	std::ofstream f(path);
	f << text;
	f.flush();
	return f.good();
}

inline uint64_t read_u64(const std::string &path)
{
	std::ifstream f(path);
	uint64_t v = 0;
	f >> v;
	return v;
}

// CONFIG_<name> of the kernel under test, from the .config run-vm.sh
// packs: 1 set (y or m), 0 not set, -1 not known.
inline int kernel_config(const std::string &name)
{
	const std::string cfg = slurp("/etc/centest/kernel.config");
	if (cfg.empty())
		return -1;
	for (const char *v : {"=y\n", "=m\n"})
		if (cfg.find("\nCONFIG_" + name + v) != std::string::npos)
			return 1;
	return 0;
}

// tracefs: its own mount point on recent kernels, else inside debugfs.
inline std::string tracing_dir()
{
	if (::access("/sys/kernel/tracing/events/cenalloc", F_OK) == 0)
		return "/sys/kernel/tracing";
	return "/sys/kernel/debug/tracing";
}

} // namespace cen::vm
