// SPDX-License-Identifier: GPL-2.0
//
// Reading and writing the small text files of sysfs, debugfs, tracefs and
// cgroupfs from the in-VM tests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/utsname.h>
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

// Whether the kernel under test has the option at all (set or not): an
// option that is gone from Kconfig appears in neither form.
inline bool kernel_option_exists(const std::string &name)
{
	const std::string cfg = slurp("/etc/centest/kernel.config");
	return cfg.find("\nCONFIG_" + name + "=") != std::string::npos ||
	       cfg.find("\n# CONFIG_" + name + " is not set") != std::string::npos;
}

// Whether the dma-buf core tells dynamic importers that a buffer moves:
// with CONFIG_DMABUF_MOVE_NOTIFY, and always since that option went away
// (7.x, invalidate_mappings).  1 yes, 0 no, -1 not known.
inline int dynamic_importers_told()
{
	const int cfg = kernel_config("DMABUF_MOVE_NOTIFY");
	if (cfg == 1 || (cfg == 0 && !kernel_option_exists("DMABUF_MOVE_NOTIFY")))
		return 1;
	return cfg;
}

// The running kernel's release is at least major.minor.
inline bool kernel_release_at_least(int major, int minor)
{
	utsname u{};
	int ma = 0, mi = 0;
	if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

// The guest is arm64, where devices may be non-coherent: cenalloc refuses
// a carveout there, and run-vm.sh gives it none.
inline bool arm64_guest()
{
	utsname u{};
	return ::uname(&u) == 0 && std::string(u.machine) == "aarch64";
}

// /dev/dma_heap/cenalloc is a real dma-buf heap (not the misc imitation).
inline bool real_dma_heap()
{
	return ::access("/sys/class/dma_heap/cenalloc", F_OK) == 0;
}

// tracefs: its own mount point on recent kernels, else inside debugfs.
inline std::string tracing_dir()
{
	if (::access("/sys/kernel/tracing/events/cenalloc", F_OK) == 0)
		return "/sys/kernel/tracing";
	return "/sys/kernel/debug/tracing";
}

// Records cenalloc's tracepoint @event (all of cenalloc's for "") into an
// emptied trace until stop() or the end of the scope.  Without recording
// task names: that hooks the scheduler's wakeup and switch tracepoints,
// whose code is patched while other CPUs run it, and QEMU's TCG with a
// thread per vCPU, which the benchmark uses, lets a CPU take the patch's
// int3 after it was gone (an Oops in ttwu_do_activate, 6.18; run-vm.sh's
// ACCEL).  Only cenalloc's own sites are patched then.
class CenallocTrace {
public:
	explicit CenallocTrace(const std::string &event)
		: enable_(tracing_dir() + "/events/cenalloc/" +
			  (event.empty() ? "" : event + "/") + "enable")
	{
		write_file(tracing_dir() + "/options/record-cmd", "0");
		on_ = write_file(tracing_dir() + "/trace", "") &&
		      write_file(enable_, "1");
	}
	~CenallocTrace() { stop(); }
	CenallocTrace(const CenallocTrace &) = delete;
	CenallocTrace &operator=(const CenallocTrace &) = delete;

	// False where tracefs or the event is missing.
	bool on() const { return on_; }
	const std::string &enable_path() const { return enable_; }
	void stop()
	{
		if (on_)
			write_file(enable_, "0");
		on_ = false;
	}
	std::string text() const { return slurp(tracing_dir() + "/trace"); }

private:
	std::string enable_;
	bool on_ = false;
};

} // namespace cen::vm
