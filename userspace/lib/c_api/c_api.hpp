// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// c_api.hpp - the C API's opaque objects are C++ objects of the library.
// Internal.
//
// Each C handle wraps the RAII type that does the work, so the C API is a
// thin layer: it checks arguments, turns a Failure into a negative errno
// plus the thread's last-error text, and hands ownership across with
// unique_ptr::release() at the boundary only.
#pragma once

#include <cerrno>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cenalloc/allocator.hpp"
#include "cenalloc/buffer.hpp"
#include "cenalloc/cenalloc.h"

struct cenalloc_device {
	cenalloc::Allocator alloc;
};

struct cenalloc_constraint_set {
	cenalloc::Constraints c;
};

struct cenalloc_hints {
	std::vector<cenalloc::Hint> list;
};

struct cenalloc_buffer_info {
	cenalloc::BufferInfo info;
	cenalloc_constraint_set merged;
	std::vector<cenalloc_constraint_set> members;
};

struct cenalloc_mapping {
	cenalloc::Mapping map;
	cenalloc::CpuAccess access;
};

namespace cenalloc::c_api {

// Record @failure as this thread's last error; its negative errno.
int fail(const Failure &failure) noexcept;
// The same for a refusal of the C layer itself.
int fail(int errno_value, const char *operation, const char *reason) noexcept;

// A new T, or nullptr when out of memory (recorded as the last error).
template <typename T, typename... Args>
std::unique_ptr<T> make(Args &&...args) noexcept
{
	std::unique_ptr<T> p(new (std::nothrow) T{std::forward<Args>(args)...});

	if (!p)
		fail(ENOMEM, "libcenalloc", "out of memory");
	return p;
}

// A field number from C, or nullopt when it is none of the seven.
std::optional<Field> field_of(int field) noexcept;

} // namespace cenalloc::c_api
