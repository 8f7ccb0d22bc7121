// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// document.hpp - a cenalloc JSON document (docs/profiles.md): platform
// profiles to load into the kernel, and a platform description (devices,
// memory backends, buffers) for the offline what-if solver.  One format
// for both, so a platform file carries the profiles it will run with.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cenalloc/allocator.hpp"
#include "cenalloc/backend.hpp"
#include "cenalloc/constraints.hpp"
#include "invalid_input.hpp"

namespace cenalloc::platform {

// A device as its struct device describes it, plus what its driver
// declares through cenalloc_declare_constraints().
struct PlatformDevice {
	std::string name{};	// dev_name(): "vivid.0"
	std::string bus{};	// "platform", "pci"
	std::string driver{};	// bound driver, "" if none
	std::uint64_t dma_mask = 0;	// 0: not set (the kernel's 32 bits)
	std::uint64_t bus_dma_limit = 0; // 0: none
	std::uint64_t max_seg_size = 0;	// dma_parms; 0: not set
	std::uint64_t seg_boundary_mask = 0; // dma_parms; 0: not set
	bool iommu = false;
	bool coherent = true;
	std::optional<Constraints> declared{};	// source "driver"
};

// A memory backend as the solver sees it (struct cen_backend_desc).
struct PlatformBackend {
	std::string name{};
	BackendKind kind = BackendKind::scatter;
	std::uint64_t max_chunk = 0;
	std::uint64_t max_align = 0;
	std::uint64_t addr_lo = 0;
	std::uint64_t addr_hi = kNoLimit;
	std::uint64_t lowest_limit = 0;
	std::uint64_t free_bytes = kNoLimit;
	std::uint32_t cost_rank = 0;
	std::vector<Coherency> coherency{};	// cachings it can give
};

// A buffer to solve for: its members are the hints (anonymous constraint
// sets, source "creation hint"), then the devices, in this order, as in
// the kernel where creation hints come first.
struct PlatformBuffer {
	std::string name{};
	std::uint64_t size = 0;
	std::vector<Constraints> hints{};
	std::vector<std::string> devices{};
};

struct Document {
	std::string description{};
	std::uint32_t page_size = 4096;
	bool relax_default = false;	// cenalloc's module parameter
	std::vector<Profile> profiles{};	// later entries win over earlier
	std::vector<PlatformDevice> devices{};
	std::vector<PlatformBackend> backends{};
	std::vector<PlatformBuffer> buffers{};

	[[nodiscard]] const PlatformDevice *device(std::string_view name) const;
};

// The solver's limits, checked when reading.
inline constexpr std::size_t kMaxBackends = 8;	 // CEN_MAX_BACKENDS
inline constexpr std::size_t kMaxMembers = 64;	 // per buffer, the kernel's

// Parse a document; InvalidInput names the JSON path of the first problem.
Document parse_document(std::string_view text);
// Read (read_input(): "-" is standard input, at most kMaxDocumentBytes)
// and parse a file; InvalidInput's message starts with the file name.
Document read_document(const std::filesystem::path &file);

// The backends of the running kernel, as a platform would describe them.
// QUERY does not report which CPU cachings a backend gives; every
// backend of cenalloc.ko gives "any" and "cached".
std::vector<PlatformBackend> backends_from_kernel(
	const std::vector<Backend> &backends);

// The profile the kernel applies to @device: of those whose every match
// key fits, the newest (the last in the list); nullptr when none does.
const Profile *matching_profile(const std::vector<Profile> &profiles,
				const PlatformDevice &device);

} // namespace cenalloc::platform
