// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/constraints.hpp
/// @brief the DMA constraints of a device or a buffer.
///
/// The same seven fields as the kernel's constraint model
/// (docs/constraints.md).  A field is either unset (nobody constrained it:
/// "any") or set to a value.  Sets that come back from the kernel also say
/// where each value came from (its Source) and, for a buffer's merged set,
/// which member imposed it (its origin, an index into BufferInfo::members).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "export.h"

namespace cenalloc {

enum class Field : std::uint8_t {
	addr_limit,	///< highest byte address the device reaches
	max_segments,	///< 1 = physically contiguous
	max_seg_size,	///< longest segment, bytes
	seg_boundary,	///< segments do not cross multiples of mask + 1
	align,		///< every segment starts at a multiple (power of two)
	iommu,		///< 1: behind an IOMMU
	coherency,	///< a Coherency value
};
inline constexpr std::size_t kFieldCount = 7;

/// Where a value came from, lowest priority first (the kernel's order).
enum class Source : std::uint8_t {
	none,
	default_policy,
	hint,
	device,
	profile,
	driver,
};

enum class Coherency : std::uint8_t { any, cached, uncached };

/// "No limit" for the count and the 64-bit fields.
inline constexpr std::uint32_t kAnySegments = 0xffffffffU;
inline constexpr std::uint64_t kNoLimit = ~std::uint64_t{0};

/// The kernel's words: "address limit", "default policy", "uncached".
[[nodiscard]] CENALLOC_API std::string_view to_string(Field f) noexcept;
[[nodiscard]] CENALLOC_API std::string_view to_string(Source s) noexcept;
[[nodiscard]] CENALLOC_API std::string_view to_string(Coherency c) noexcept;
/// The identifier used in JSON and on command lines: "addr_limit".
[[nodiscard]] CENALLOC_API std::string_view key_of(Field f) noexcept;
[[nodiscard]] CENALLOC_API std::optional<Field>
field_from_key(std::string_view key) noexcept;

/// A value: thread-safe for concurrent const use, like any struct.
class CENALLOC_API Constraints {
public:
	/// Setters for building hints and profiles; each returns *this.
	Constraints &addr_limit(std::uint64_t limit)
	{
		return set(Field::addr_limit, limit);
	}
	Constraints &max_segments(std::uint32_t n)
	{
		return set(Field::max_segments, n);
	}
	Constraints &contiguous() { return max_segments(1); }
	Constraints &max_seg_size(std::uint64_t bytes)
	{
		return set(Field::max_seg_size, bytes);
	}
	Constraints &seg_boundary_mask(std::uint64_t mask)
	{
		return set(Field::seg_boundary, mask);
	}
	Constraints &align(std::uint64_t bytes)
	{
		return set(Field::align, bytes);
	}
	Constraints &iommu(bool behind_iommu)
	{
		return set(Field::iommu, behind_iommu ? 1 : 0);
	}
	Constraints &coherency(Coherency c)
	{
		return set(Field::coherency, static_cast<std::uint64_t>(c));
	}
	Constraints &set(Field f, std::uint64_t value,
			 Source src = Source::none,
			 std::optional<std::uint16_t> origin = std::nullopt);
	Constraints &unset(Field f);

	/// The value, or nullopt when nobody constrained the field.
	[[nodiscard]] std::optional<std::uint64_t> get(Field f) const
	{
		return fields_[index(f)].value;
	}
	[[nodiscard]] bool has(Field f) const { return get(f).has_value(); }
	/// Where the value came from (Source::none for sets built here).
	[[nodiscard]] Source source(Field f) const
	{
		return fields_[index(f)].source;
	}
	/// Merged sets: the member that imposed the value.
	[[nodiscard]] std::optional<std::uint16_t> origin(Field f) const
	{
		return fields_[index(f)].origin;
	}
	[[nodiscard]] bool empty() const;
	/// max_segments == 1.
	[[nodiscard]] bool requires_contiguous() const;

	/// The value as people read it: "0xffffffff", "1", "64 KiB", "yes",
	/// "uncached"; "any" for an unset field.
	[[nodiscard]] std::string value_text(Field f) const;

	friend bool operator==(const Constraints &a, const Constraints &b)
	{
		for (std::size_t i = 0; i < kFieldCount; i++)
			if (!(a.fields_[i] == b.fields_[i]))
				return false;
		return true;
	}
	friend bool operator!=(const Constraints &a, const Constraints &b)
	{
		return !(a == b);
	}

private:
	struct Slot {
		std::optional<std::uint64_t> value;
		Source source = Source::none;
		std::optional<std::uint16_t> origin;
		friend bool operator==(const Slot &a, const Slot &b)
		{
			return a.value == b.value && a.source == b.source &&
			       a.origin == b.origin;
		}
	};
	static constexpr std::size_t index(Field f)
	{
		return static_cast<std::size_t>(f);
	}
	std::array<Slot, kFieldCount> fields_{};
};

/// Every field, in the kernel's order, for loops.
inline constexpr std::array<Field, kFieldCount> kAllFields = {
	Field::addr_limit, Field::max_segments, Field::max_seg_size,
	Field::seg_boundary, Field::align, Field::iommu, Field::coherency,
};

/// Byte counts as people read them: "4 MiB", "4149248 bytes" (exact: a
/// count that is not a whole number of units is printed in bytes).
[[nodiscard]] CENALLOC_API std::string format_bytes(std::uint64_t bytes);
/// Addresses and masks: "0xffffffff"; kNoLimit as "any".
[[nodiscard]] CENALLOC_API std::string format_address(std::uint64_t addr);

} ///< namespace cenalloc
