// SPDX-License-Identifier: GPL-2.0
//
// cenalloc's own fault injection (debugfs cenalloc/fail/ and fail_sites):
// the kernel's fault attributes, limited to cenalloc's allocation points
// and, through task-filter and make-it-fail, to the calling thread, so
// nothing else in the VM sees a failure.  Kernels without
// CONFIG_FAULT_INJECTION_DEBUG_FS have no fail/: available() says so.
#pragma once

#include <cstdint>
#include <string>

#include <unistd.h>

#include "sysfs.hpp"

namespace cen::vm {

// CENALLOC_FAIL_* in kernel/exporter/cenalloc_internal.h.
enum FailSite : uint32_t {
	kFailCreate = 1u << 0,
	kFailMember = 1u << 1,
	kFailSolve = 1u << 2,
	kFailBackend = 1u << 3,
	kFailMap = 1u << 4,
	kFailVmap = 1u << 5,
	kFailCopy = 1u << 6,
	kFailAll = (1u << 7) - 1,
};

// Makes the calling thread's allocations at @sites fail for its lifetime:
// after @skip successful ones, @times of them (-1: all).
class InjectFailures {
public:
	static constexpr const char *kDir = "/sys/kernel/debug/cenalloc/fail/";
	static constexpr const char *kSites = "/sys/kernel/debug/cenalloc/fail_sites";

	static bool available() { return ::access(kDir, F_OK) == 0; }

	InjectFailures(uint32_t sites, long times = -1, unsigned long skip = 0)
	{
		ok_ = set("probability", "100") && set("interval", "1") &&
		      set("verbose", "0") && set("task-filter", "Y") &&
		      set("space", std::to_string(skip)) &&
		      set("times", std::to_string(times)) &&
		      write_file("/proc/thread-self/make-it-fail", "1") &&
		      write_file(kSites, std::to_string(sites));
	}
	~InjectFailures()
	{
		write_file(kSites, "0");
		write_file("/proc/thread-self/make-it-fail", "0");
		set("space", "0");
	}
	InjectFailures(const InjectFailures &) = delete;
	InjectFailures &operator=(const InjectFailures &) = delete;

	bool ok() const { return ok_; }
	// Failures still to inject (of @times); lower than @times once some
	// fired.
	static long left() { return std::stol(slurp(std::string(kDir) + "times")); }

private:
	static bool set(const char *knob, const std::string &v)
	{
		return write_file(std::string(kDir) + knob, v);
	}
	bool ok_ = false;
};

} // namespace cen::vm
