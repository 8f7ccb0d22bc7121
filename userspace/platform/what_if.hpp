// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// what_if.hpp - the offline what-if: for each buffer of a platform
// document, the decision cenalloc.ko would take, and why, computed by the
// kernel's own kernel/constraints/ code (resolution of each device from
// its layers, the merge, the solver).  No module needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cenalloc/constraints.hpp"
#include "document.hpp"

namespace cenalloc::platform {

// A member of a buffer with the constraints the kernel would resolve for
// it, sources included.
struct ResolvedMember {
	std::string name{};	// the device, or "(hint)"
	bool from_hint = false;
	Constraints constraints{};
};

// What one backend would do with the buffer.
struct BackendVerdict {
	std::string backend{};
	bool accepted = false;
	std::string reason{};		// why it was refused
	// Refused only because its memory is scarce and nobody needs it
	// (every device can scatter): passed over, not a failure.
	bool not_needed = false;
	// When accepted (struct cen_plan):
	std::uint64_t chunk = 0;	// smallest chunk it may use
	std::uint64_t align = 0;
	std::uint64_t addr_limit = 0;
	std::uint64_t max_segments = 0; // worst case over the members
	// The worst case of each member (as BufferDecision::members): every
	// device gets its own scatterlist, split by its own rules.
	std::vector<std::uint64_t> member_segments{};
	std::uint64_t worst_case_addr = 0; // where the estimate put it
	std::uint32_t preference = 0;	// 0 = the first one tried
	// Where the kernel tries the chunk first, for devices that may attach
	// later (cen_solution_anticipate()); addr_limit when nothing is
	// anticipated.
	std::uint64_t prefer_limit = 0;
};

// The module's anticipate_limit parameter by default: contiguous chunks
// go at or below 4 GiB first, where 32-bit devices reach them.
inline constexpr std::uint64_t kAnticipateLimit = 0xffffffff;

struct BufferDecision {
	std::string buffer{};
	std::uint64_t size = 0;		// rounded up to pages
	std::vector<ResolvedMember> members{};
	Constraints merged{};		// origins index into members
	// The chosen backend: the first accepted one in cost order, which
	// the kernel tries first.  Empty when nothing can back the buffer.
	std::string backend{};
	// The kernel's kind of sentence: "max segments 1 from vivid.0
	// (default policy), address limit 0xffffffff from vivid.0 (struct
	// device)"; or, without a backend, why not.
	std::string reason{};
	std::vector<BackendVerdict> backends{};	// in document order

	[[nodiscard]] bool feasible() const { return !backend.empty(); }
};

// The constraints cenalloc.ko resolves for @device on @doc: its struct
// device, the newest matching profile, its driver's declaration, the
// default policy, the exporter's scatterlist limit.
Constraints resolve_device(const Document &doc, const PlatformDevice &device);

// Every buffer of @doc, in order.
std::vector<BufferDecision> solve(const Document &doc);

} // namespace cenalloc::platform
