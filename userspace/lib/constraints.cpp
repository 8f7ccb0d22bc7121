// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/constraints.hpp"

#include <algorithm>

#include <linux/cenalloc.h>

#include "cen_constraints_c.hpp"

namespace cenalloc {

// The library's enums are the kernel's, value for value: conversions are
// casts, and these keep them honest.
static_assert(static_cast<int>(Field::addr_limit) == CEN_F_ADDR_LIMIT);
static_assert(static_cast<int>(Field::max_segments) == CEN_F_MAX_SEGMENTS);
static_assert(static_cast<int>(Field::max_seg_size) == CEN_F_MAX_SEG_SIZE);
static_assert(static_cast<int>(Field::seg_boundary) == CEN_F_SEG_BOUNDARY);
static_assert(static_cast<int>(Field::align) == CEN_F_ALIGN);
static_assert(static_cast<int>(Field::iommu) == CEN_F_IOMMU);
static_assert(static_cast<int>(Field::coherency) == CEN_F_COHERENCY);
static_assert(kFieldCount == CEN_F_COUNT &&
	      kFieldCount == CENALLOC_C_NR_FIELDS);
static_assert(static_cast<int>(Source::none) == CENALLOC_SRC_NONE &&
	      static_cast<int>(Source::default_policy) == CENALLOC_SRC_DEFAULT &&
	      static_cast<int>(Source::hint) == CENALLOC_SRC_HINT &&
	      static_cast<int>(Source::device) == CENALLOC_SRC_DEVICE &&
	      static_cast<int>(Source::profile) == CENALLOC_SRC_PROFILE &&
	      static_cast<int>(Source::driver) == CENALLOC_SRC_DRIVER &&
	      static_cast<int>(Source::driver) + 1 == CEN_SRC_COUNT);
static_assert(static_cast<int>(Coherency::any) == CENALLOC_COH_ANY &&
	      static_cast<int>(Coherency::cached) == CENALLOC_COH_CACHED &&
	      static_cast<int>(Coherency::uncached) == CENALLOC_COH_UNCACHED);

namespace {

constexpr std::array<std::string_view, kFieldCount> kKeys = {
	"addr_limit", "max_segments", "max_seg_size", "seg_boundary_mask",
	"align",      "iommu",	      "coherency",
};

} // namespace

std::string_view to_string(Field f) noexcept
{
	return cen_field_name(static_cast<cen_field>(f));
}

std::string_view to_string(Source s) noexcept
{
	return cen_source_name(static_cast<cen_source>(s));
}

std::string_view to_string(Coherency c) noexcept
{
	return cen_coherency_name(static_cast<cen_coherency>(c));
}

std::string_view key_of(Field f) noexcept
{
	return kKeys.at(static_cast<std::size_t>(f));
}

std::optional<Field> field_from_key(std::string_view key) noexcept
{
	for (Field f : kAllFields)
		if (key_of(f) == key)
			return f;
	return std::nullopt;
}

Constraints &Constraints::set(Field f, std::uint64_t value, Source src,
			      std::optional<std::uint16_t> origin)
{
	fields_[index(f)] = Slot{value, src, origin};
	return *this;
}

Constraints &Constraints::unset(Field f)
{
	fields_[index(f)] = Slot{};
	return *this;
}

bool Constraints::empty() const
{
	return std::ranges::none_of(fields_,
				    [](const Slot &s) { return s.value.has_value(); });
}

bool Constraints::requires_contiguous() const
{
	return get(Field::max_segments) == 1U;
}

std::string Constraints::value_text(Field f) const
{
	const std::optional<std::uint64_t> v = get(f);

	if (!v)
		return "any";
	switch (f) {
	case Field::addr_limit:
	case Field::seg_boundary:
		return format_address(*v);
	case Field::max_segments:
		return *v >= kAnySegments ? "any" : std::to_string(*v);
	case Field::max_seg_size:
		// Whole units read best ("64 KiB"), other large values in
		// hex, as the kernel writes them (UINT_MAX: "0xffffffff").
		if (*v == kNoLimit)
			return "any";
		if (*v >= 0x10000 && *v % 1024)
			return format_address(*v);
		return format_bytes(*v);
	case Field::align:
		return *v <= 1 ? "none" : format_bytes(*v);
	case Field::iommu:
		return *v ? "yes" : "no";
	case Field::coherency:
		return std::string(
			cen_coherency_name(static_cast<cen_coherency>(*v)));
	}
	return std::to_string(*v);
}

std::string format_bytes(std::uint64_t bytes)
{
	static constexpr std::array<std::string_view, 4> kUnits = {
		"KiB", "MiB", "GiB", "TiB"};
	std::string_view unit;
	std::uint64_t v = bytes;

	for (std::string_view u : kUnits) {
		if (v < 1024 || v % 1024)
			break;
		v /= 1024;
		unit = u;
	}
	if (unit.empty())
		return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
	return std::to_string(v) + " " + std::string(unit);
}

std::string format_address(std::uint64_t addr)
{
	static constexpr std::string_view kDigits = "0123456789abcdef";
	std::string hex;

	if (addr == kNoLimit)
		return "any";
	do {
		hex.insert(hex.begin(), kDigits[addr & 0xf]);
		addr >>= 4;
	} while (addr);
	return "0x" + hex;
}

} // namespace cenalloc
