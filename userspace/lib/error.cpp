// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/error.hpp"

#include <utility>

namespace cenalloc {

namespace {

// "operation: reason (strerror)" when the kernel said why, else
// "operation: strerror": the reason is what a user can act on.
std::string describe(int errno_value, const std::string &operation,
		     const std::string &reason)
{
	std::string text = std::generic_category().message(errno_value);

	if (reason.empty())
		return operation + ": " + text;
	return operation + ": " + reason + " (" + text + ")";
}

} // namespace

Error::Error(int errno_value, std::string operation, std::string reason)
	: std::system_error(errno_value, std::generic_category(), operation),
	  operation_(std::move(operation)), reason_(std::move(reason)),
	  message_(describe(errno_value, operation_, reason_))
{
}

} // namespace cenalloc
