// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// uapi_convert.hpp - between the library's types and the structs of
// <linux/cenalloc.h>.  Internal: the public headers never show the ABI.
#pragma once

#include <linux/cenalloc.h>

#include <cstddef>
#include <span>
#include <string>

#include "cenalloc/allocator.hpp"
#include "cenalloc/backend.hpp"
#include "cenalloc/buffer_info.hpp"
#include "cenalloc/constraints.hpp"

namespace cenalloc::detail {

// Input constraints (hints, profiles): the set fields flagged in @valid,
// outputs and reserved zero.
cenalloc_constraints to_uapi(const Constraints &c);

// Output constraints (INFO): @valid fields with their sources and origins.
Constraints from_uapi(const cenalloc_constraints &u);

Backend from_uapi(const cenalloc_backend_info &b);

Member from_uapi(const cenalloc_attach_info &a);

// INFO and the members the kernel copied out.
BufferInfo from_uapi(const cenalloc_info &info,
		     std::span<const cenalloc_attach_info> members);

// PROFILE_SET / PROFILE_CLEAR argument; Error(EINVAL) for names too long
// or an empty match.
cenalloc_profile to_uapi(const DeviceMatch &match, const char *operation);

// A C string field of the ABI, NUL-terminated or not.
template <std::size_t N> std::string abi_string(const char (&field)[N])
{
	std::size_t len = 0;

	while (len < N && field[len] != '\0')
		len++;
	return std::string(field, len);
}

} // namespace cenalloc::detail
