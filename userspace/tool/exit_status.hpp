// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// exit_status.hpp - what the cenalloc command's exit status means
// (documented in `cenalloc --help` and README.md), and the failures that
// lead to each.
#pragma once

#include <stdexcept>
#include <string>

namespace cenalloc::tool {

enum class ExitStatus : int {
	ok = 0,
	failed = 1,		// the kernel refused, or a buffer cannot be backed
	usage = 2,		// unknown command or option, bad argument
	invalid_input = 3,	// a JSON file that cannot be used
	unavailable = 4,	// no /dev/cenalloc (module not loaded)
	permission = 5,		// needs root (CAP_SYS_ADMIN)
};

// A failure the command reports with a given status; what() is the
// message, printed as "cenalloc: <message>".
class Failure : public std::runtime_error {
public:
	Failure(ExitStatus status, const std::string &message)
		: std::runtime_error(message), status_(status)
	{
	}
	[[nodiscard]] ExitStatus status() const noexcept { return status_; }

private:
	ExitStatus status_;
};

// A command line that does not parse.
class UsageError : public Failure {
public:
	explicit UsageError(const std::string &message)
		: Failure(ExitStatus::usage, message)
	{
	}
};

} // namespace cenalloc::tool
