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

/// The seven fields of a constraint set, numbered as the kernel numbers
/// them (docs/constraints.md has what each one accepts).
enum class Field : std::uint8_t {
	addr_limit,	///< highest byte address the device reaches
	max_segments,	///< 1 = physically contiguous; kAnySegments = any
	max_seg_size,	///< longest segment, bytes (a power of two is used)
	seg_boundary,	///< segments do not cross multiples of mask + 1
	align,		///< every segment starts at a multiple (power of two)
	iommu,		///< 1: behind an IOMMU
	coherency,	///< a Coherency value
};
/// The number of Fields: the size of arrays indexed by Field.
inline constexpr std::size_t kFieldCount = 7;

/// Where a value came from, lowest priority first (the kernel's order).
/// A higher source overrides a lower one field by field when the kernel
/// resolves a device's constraints.
enum class Source : std::uint8_t {
	none,		///< nobody constrained it, or a set built here
	default_policy,	///< the safe default: contiguous when unsure
	hint,		///< a creation hint (BufferSpec::hints)
	device,		///< the struct device: DMA masks, dma_parms, IOMMU
	profile,	///< a platform profile (Allocator::set_profile())
	driver,		///< the driver declared it in the kernel
};

/// The CPU caching a device needs (Field::coherency).
enum class Coherency : std::uint8_t {
	any,		///< either works
	cached,		///< the device snoops CPU caches
	uncached	///< it does not: write-combined memory
};

/// @name "No limit"
/// For the count and the 64-bit fields.
/// @{

/// Field::max_segments.
inline constexpr std::uint32_t kAnySegments = 0xffffffffU;
/// Field::addr_limit, Field::max_seg_size, Field::seg_boundary.
inline constexpr std::uint64_t kNoLimit = ~std::uint64_t{0};
/// @}

/// @name Names
/// @{

/// The kernel's words: "address limit", "default policy", "uncached".
[[nodiscard]] CENALLOC_API std::string_view to_string(Field f) noexcept;
/// The kernel's words for a Source: "default policy", "platform profile".
[[nodiscard]] CENALLOC_API std::string_view to_string(Source s) noexcept;
/// The kernel's words for a Coherency: "any", "cached", "uncached".
[[nodiscard]] CENALLOC_API std::string_view to_string(Coherency c) noexcept;
/// The identifier used in JSON and on command lines: "addr_limit".
[[nodiscard]] CENALLOC_API std::string_view key_of(Field f) noexcept;
/// The Field with this key_of() ("seg_boundary_mask"), or nullopt.
[[nodiscard]] CENALLOC_API std::optional<Field>
field_from_key(std::string_view key) noexcept;
/// @}

/// A constraint set: each Field unset ("any") or set, with its Source and,
/// in a merged set, its origin.  A value: thread-safe for concurrent const
/// use, like any struct.
class CENALLOC_API Constraints {
public:
	/// @name Setters
	/// For building hints and profiles; each returns *this, so they
	/// chain: Constraints().contiguous().addr_limit(0xffffffff).  Values
	/// are checked by the kernel when the set is used (EINVAL), not here.
	/// @{

	/// Field::addr_limit: the highest byte address, 0xffffffff for a
	/// 32-bit device.
	Constraints &addr_limit(std::uint64_t limit)
	{
		return set(Field::addr_limit, limit);
	}
	/// Field::max_segments: at most @p n segments; not 0.
	Constraints &max_segments(std::uint32_t n)
	{
		return set(Field::max_segments, n);
	}
	/// max_segments(1): physically contiguous memory.
	Constraints &contiguous() { return max_segments(1); }
	/// Field::max_seg_size, in bytes; the largest power of two not above
	/// it is what counts.
	Constraints &max_seg_size(std::uint64_t bytes)
	{
		return set(Field::max_seg_size, bytes);
	}
	/// Field::seg_boundary: @p mask is 2^k - 1; no segment crosses a
	/// multiple of @p mask + 1.
	Constraints &seg_boundary_mask(std::uint64_t mask)
	{
		return set(Field::seg_boundary, mask);
	}
	/// Field::align: every segment starts at a multiple of @p bytes, a
	/// power of two (1: none).
	Constraints &align(std::uint64_t bytes)
	{
		return set(Field::align, bytes);
	}
	/// Field::iommu: the device sees I/O virtual addresses, so its
	/// physical constraints do not matter.
	Constraints &iommu(bool behind_iommu)
	{
		return set(Field::iommu, behind_iommu ? 1 : 0);
	}
	/// Field::coherency.
	Constraints &coherency(Coherency c)
	{
		return set(Field::coherency, static_cast<std::uint64_t>(c));
	}
	/// Any field, raw, with where it came from (for code that copies
	/// sets; @p src and @p origin are not sent to the kernel).
	Constraints &set(Field f, std::uint64_t value,
			 Source src = Source::none,
			 std::optional<std::uint16_t> origin = std::nullopt);
	/// Make the field "any" again.
	Constraints &unset(Field f);
	/// @}

	/// The value, or nullopt when nobody constrained the field.
	[[nodiscard]] std::optional<std::uint64_t> get(Field f) const
	{
		return fields_[index(f)].value;
	}
	/// The field is set.
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
	/// No field is set: accepts any memory.
	[[nodiscard]] bool empty() const;
	/// max_segments == 1.
	[[nodiscard]] bool requires_contiguous() const;

	/// The value as people read it: "0xffffffff", "1", "64 KiB", "yes",
	/// "uncached"; "any" for an unset field.
	[[nodiscard]] std::string value_text(Field f) const;

	/// Same values, sources and origins in every field.
	friend bool operator==(const Constraints &a, const Constraints &b)
	{
		for (std::size_t i = 0; i < kFieldCount; i++)
			if (!(a.fields_[i] == b.fields_[i]))
				return false;
		return true;
	}
	/// !(a == b).
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

} // namespace cenalloc
