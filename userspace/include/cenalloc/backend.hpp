// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/backend.hpp
/// @brief what the running cenalloc can do (QUERY): its
/// ABI version, features, page size and memory backends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "export.h"

namespace cenalloc {

/// How a backend lays out a buffer's memory.
enum class BackendKind : std::uint8_t {
	scatter,	///< pages from anywhere ("system")
	contiguous,	///< one physically contiguous chunk per buffer
};

/// "scatter" or "contig": for logs and tools.
[[nodiscard]] CENALLOC_API std::string_view to_string(BackendKind k) noexcept;

/// One backend present on this kernel, with its counters at QUERY time.
struct Backend {
	std::string name{};		///< "system", "contig", "cma", "carveout"
	BackendKind kind = BackendKind::scatter; ///< how it lays out memory
	std::uint32_t cost_rank = 0;	///< lower is preferred
	std::uint64_t max_chunk = 0;	///< largest contiguous allocation, bytes
	std::uint64_t max_align = 0;	///< largest alignment of a chunk, bytes
	std::uint64_t addr_lo = 0;	///< lowest physical address handed out
	std::uint64_t addr_hi = 0;	///< highest physical address handed out
	std::uint64_t lowest_limit = 0; ///< lowest address limit it honours
	std::uint64_t free_bytes = 0;	///< available now
	std::uint64_t used_bytes = 0;	///< backing live cenalloc buffers
	std::uint64_t allocations = 0;	///< since the module was loaded
	std::uint64_t failures = 0;	///< failed allocations, since then too

	/// Every field equal, counters included.
	friend bool operator==(const Backend &a, const Backend &b)
	{
		return a.name == b.name && a.kind == b.kind &&
		       a.cost_rank == b.cost_rank && a.max_chunk == b.max_chunk &&
		       a.max_align == b.max_align && a.addr_lo == b.addr_lo &&
		       a.addr_hi == b.addr_hi &&
		       a.lowest_limit == b.lowest_limit &&
		       a.free_bytes == b.free_bytes &&
		       a.used_bytes == b.used_bytes &&
		       a.allocations == b.allocations &&
		       a.failures == b.failures;
	}
	/// !(a == b).
	friend bool operator!=(const Backend &a, const Backend &b)
	{
		return !(a == b);
	}
};

/// What the running module supports: bits of Capabilities::features
/// (the kernel's CENALLOC_FEAT_*).  Test with Capabilities::has() before
/// relying on one: older modules lack the later ones.
enum class Feature : std::uint64_t {
	hints = 1U << 0,	///< creation hints
	profiles = 1U << 1,	///< PROFILE_SET / PROFILE_CLEAR
	dma_heap = 1U << 2,	///< /dev/dma_heap/cenalloc
	driver_api = 1U << 3,	///< cenalloc_declare_constraints()
	migration = 1U << 4,	///< late attaches move the backing
	move_notify = 1U << 5,	///< BufferSpec::dynamic is accepted
};

/// "hints", "move-notify"...: the feature's name, for logs and tools;
/// "?" for a value that is not a Feature.
[[nodiscard]] CENALLOC_API std::string_view to_string(Feature f) noexcept;

/// What Allocator::query() found: a snapshot, the counters of the backends
/// move on.
struct Capabilities {
	std::uint32_t abi_version = 0;	///< the kernel's CENALLOC_ABI_VERSION
	std::uint64_t features = 0;	///< Feature bits, unknown ones kept
	std::uint32_t page_size = 0;	///< granule of every allocation, bytes
	std::vector<Backend> backends{}; ///< every backend present

	/// The module offers @p f.
	[[nodiscard]] bool has(Feature f) const noexcept
	{
		return (features & static_cast<std::uint64_t>(f)) != 0;
	}
	/// The names of the feature bits that are set, known ones only.
	[[nodiscard]] CENALLOC_API std::vector<std::string_view>
	feature_names() const;
};

} // namespace cenalloc
