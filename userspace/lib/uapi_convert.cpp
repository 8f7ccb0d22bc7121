// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "uapi_convert.hpp"

#include <cerrno>

#include "abi_string.hpp"
#include "cenalloc/error.hpp"

namespace cenalloc::detail {

namespace {

// CENALLOC_C_* bit of a field: the fields are numbered alike.
constexpr std::uint16_t bit_of(Field f)
{
	return static_cast<std::uint16_t>(1U << static_cast<unsigned>(f));
}

std::uint64_t uapi_value(const cenalloc_constraints &u, Field f)
{
	switch (f) {
	case Field::addr_limit:
		return u.addr_limit;
	case Field::max_segments:
		return u.max_segments;
	case Field::max_seg_size:
		return u.max_seg_size;
	case Field::seg_boundary:
		return u.seg_boundary_mask;
	case Field::align:
		return u.align;
	case Field::iommu:
		return u.iommu;
	case Field::coherency:
		return u.coherency;
	}
	return 0;
}

// Values that do not fit their ABI field are refused, never truncated.
void set_uapi_value(cenalloc_constraints &u, Field f, std::uint64_t v)
{
	auto narrow = [f, v](std::uint64_t max) {
		if (v > max)
			throw Error(EINVAL, "constraints",
				    std::string(key_of(f)) + " " +
					    std::to_string(v) +
					    " is larger than " +
					    std::to_string(max));
		return v;
	};

	switch (f) {
	case Field::addr_limit:
		u.addr_limit = v;
		break;
	case Field::max_segments:
		u.max_segments = static_cast<std::uint32_t>(narrow(0xffffffffU));
		break;
	case Field::max_seg_size:
		u.max_seg_size = v;
		break;
	case Field::seg_boundary:
		u.seg_boundary_mask = v;
		break;
	case Field::align:
		u.align = v;
		break;
	case Field::iommu:
		u.iommu = static_cast<std::uint8_t>(narrow(1));
		break;
	case Field::coherency:
		u.coherency = static_cast<std::uint8_t>(
			narrow(CENALLOC_COH_UNCACHED));
		break;
	}
}

} // namespace

cenalloc_constraints to_uapi(const Constraints &c)
{
	cenalloc_constraints u{};

	for (Field f : kAllFields) {
		if (const auto v = c.get(f)) {
			set_uapi_value(u, f, *v);
			u.valid |= bit_of(f);
		}
	}
	return u;
}

Constraints from_uapi(const cenalloc_constraints &u)
{
	Constraints c;

	for (Field f : kAllFields) {
		const auto i = static_cast<std::size_t>(f);

		if (!(u.valid & bit_of(f)))
			continue;
		const auto src = u.src[i] <= CENALLOC_SRC_DRIVER
					 ? static_cast<Source>(u.src[i])
					 : Source::none;
		std::optional<std::uint16_t> origin;
		if (u.origin[i] != 0xffff)
			origin = u.origin[i];
		c.set(f, uapi_value(u, f), src, origin);
	}
	return c;
}

Backend from_uapi(const cenalloc_backend_info &b)
{
	return Backend{
		.name = abi_string(b.name),
		.kind = b.kind == CENALLOC_BACKEND_CONTIG
				? BackendKind::contiguous
				: BackendKind::scatter,
		.cost_rank = b.cost_rank,
		.max_chunk = b.max_chunk,
		.max_align = b.max_align,
		.addr_lo = b.addr_lo,
		.addr_hi = b.addr_hi,
		.lowest_limit = b.lowest_limit,
		.free_bytes = b.free_bytes,
		.used_bytes = b.used_bytes,
		.allocations = b.allocations,
		.failures = b.failures,
	};
}

Member from_uapi(const cenalloc_attach_info &a)
{
	return Member{
		.device = abi_string(a.device),
		.driver = abi_string(a.driver),
		.mapped = (a.flags & CENALLOC_ATT_MAPPED) != 0,
		.dynamic = (a.flags & CENALLOC_ATT_DYNAMIC) != 0,
		.from_hint = (a.flags & CENALLOC_ATT_HINT) != 0,
		.segments = a.nr_segments,
		.constraints = from_uapi(a.c),
	};
}

BufferInfo from_uapi(const cenalloc_info &info,
		     std::span<const cenalloc_attach_info> members)
{
	BufferInfo out{
		.id = info.id,
		.name = abi_string(info.name),
		.size = info.len,
		.backed = info.state == CENALLOC_STATE_BACKED,
		.backend = abi_string(info.backend),
		.runs = info.nr_segments,
		.merged = from_uapi(info.merged),
		.member_count = info.nr_attach,
		.members = {},
		.last_error = info.last_error,
		.last_reason = abi_string(info.reason),
		.migrations = info.migrations,
		.migrated_bytes = info.migrated_bytes,
		.last_migration_time = std::chrono::nanoseconds(
			static_cast<std::int64_t>(info.migration_ns)),
		.migration_reason = abi_string(info.migration_reason),
	};
	out.members.reserve(members.size());
	for (const cenalloc_attach_info &a : members)
		out.members.push_back(from_uapi(a));
	return out;
}

cenalloc_profile to_uapi(const DeviceMatch &match, const char *operation)
{
	cenalloc_profile p = {};

	p.argsz = sizeof(p);
	if (match.empty())
		throw Error(EINVAL, operation,
			    "a profile must match a device, a driver or a bus");
	if (match.device) {
		copy_abi_string(p.device, *match.device, "device name",
				operation);
		p.flags |= CENALLOC_MATCH_NAME;
	}
	if (match.driver) {
		copy_abi_string(p.driver, *match.driver, "driver name",
				operation);
		p.flags |= CENALLOC_MATCH_DRIVER;
	}
	if (match.bus) {
		copy_abi_string(p.bus, *match.bus, "bus name", operation);
		p.flags |= CENALLOC_MATCH_BUS;
	}
	return p;
}

} // namespace cenalloc::detail
