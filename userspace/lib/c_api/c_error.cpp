// SPDX-License-Identifier: GPL-2.0 OR MIT
// The C API's errors: a negative errno, and the words in a per-thread
// buffer (like dlerror(3)), so that threads never see each other's.
#include <cerrno>
#include <algorithm>
#include <cstring>
#include <string>

#include "c_api.hpp"

namespace {

// Fixed size: recording an error must not fail for want of memory.
constexpr std::size_t kLastErrorSize = 1024;
thread_local char last_error[kLastErrorSize];

void record(const std::string &text) noexcept
{
	const std::size_t n = std::min(text.size(), kLastErrorSize - 1);

	std::memcpy(last_error, text.data(), n);
	last_error[n] = '\0';
}

} // namespace

namespace cenalloc::c_api {

int fail(const Failure &failure) noexcept
{
	try {
		record(failure.message());
	} catch (...) {
		record(failure.operation());
	}
	return -(failure.errno_value() ? failure.errno_value() : EIO);
}

int fail(int errno_value, const char *operation, const char *reason) noexcept
{
	try {
		return fail(Failure(errno_value, operation, reason));
	} catch (...) {
		record(operation);
		return -errno_value;
	}
}

std::optional<Field> field_of(int field) noexcept
{
	if (field < 0 || field >= static_cast<int>(kFieldCount))
		return std::nullopt;
	return static_cast<Field>(field);
}

} // namespace cenalloc::c_api

extern "C" const char *cenalloc_last_error(void)
{
	return last_error;
}
