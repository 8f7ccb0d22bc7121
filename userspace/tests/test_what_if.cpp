// SPDX-License-Identifier: GPL-2.0 OR MIT
// The offline what-if: resolution like cenalloc.ko's, and decisions whose
// worst-case layouts every member accepts.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "cen_convert.hpp"
#include "what_if.hpp"

using namespace cenalloc;
using namespace cenalloc::platform;

namespace {

constexpr std::uint64_t MiB = 1 << 20;

Constraints resolve(const char *document, std::string_view device)
{
	const Document doc = parse_document(document);
	return resolve_device(doc, *doc.device(device));
}

BufferDecision solve_one(const std::string &document)
{
	const auto decisions = solve(parse_document(document));
	EXPECT_EQ(decisions.size(), 1U);
	return decisions.at(0);
}

} // namespace

TEST(WhatIf, UndeclaredDeviceWithoutIommuGetsTheDefaultPolicy)
{
	const Constraints c = resolve(R"({"devices": [{"name": "cam"}]})", "cam");

	EXPECT_EQ(c.get(Field::max_segments), 1U);
	EXPECT_EQ(c.source(Field::max_segments), Source::default_policy);
	// No mask set: the kernel's 32-bit default, from the struct device.
	EXPECT_EQ(c.get(Field::addr_limit), 0xffffffffU);
	EXPECT_EQ(c.source(Field::addr_limit), Source::device);
	EXPECT_EQ(c.get(Field::iommu), 0U);
}

TEST(WhatIf, RelaxDefaultLeavesTheSegmentCountOpen)
{
	const Constraints c = resolve(
		R"({"relax_default": true, "devices": [{"name": "cam"}]})", "cam");

	EXPECT_FALSE(c.has(Field::max_segments));
}

TEST(WhatIf, ABehindIommuDeviceTakesAnyPages)
{
	const Constraints c = resolve(
		R"({"devices": [{"name": "gpu", "iommu": true, "dma_mask": "0xffffffffff"}]})",
		"gpu");

	EXPECT_EQ(c.get(Field::max_segments), kAnySegments);
	EXPECT_EQ(c.source(Field::max_segments), Source::device);
	EXPECT_FALSE(c.has(Field::addr_limit)); // IOVAs, not physical
	EXPECT_EQ(c.get(Field::iommu), 1U);
}

TEST(WhatIf, DriverOverProfileOverStructDevice)
{
	const Constraints c = resolve(R"({
		"profiles": [{"match": {"device": "disp"},
			      "constraints": {"max_seg_size": "128 KiB",
					      "max_segments": "any"}}],
		"devices": [{"name": "disp", "dma_mask": "0xffffffff",
			     "max_seg_size": "64 KiB",
			     "declares": {"max_segments": 4}}]
	})", "disp");

	EXPECT_EQ(c.get(Field::max_seg_size), 128U * 1024);
	EXPECT_EQ(c.source(Field::max_seg_size), Source::profile);
	EXPECT_EQ(c.get(Field::max_segments), 4U);
	EXPECT_EQ(c.source(Field::max_segments), Source::driver);
	EXPECT_EQ(c.source(Field::addr_limit), Source::device);
}

TEST(WhatIf, SegmentsAreCappedAtWhatAScatterlistEntryHolds)
{
	const Constraints c = resolve(R"({"devices": [{"name": "cam"}]})", "cam");

	EXPECT_EQ(c.get(Field::max_seg_size), 0xffffffffU);
	EXPECT_EQ(c.source(Field::max_seg_size), Source::default_policy);
}

TEST(WhatIf, HintsComeFirstAsCreationHints)
{
	const BufferDecision d = solve_one(R"({
		"devices": [{"name": "gpu", "iommu": true}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "b", "size": "1 MiB", "devices": ["gpu"],
			     "hints": [{"addr_limit": "0xffffffff"}]}]
	})");

	ASSERT_EQ(d.members.size(), 2U);
	EXPECT_TRUE(d.members[0].from_hint);
	EXPECT_EQ(d.members[0].constraints.source(Field::addr_limit),
		  Source::hint);
	EXPECT_EQ(d.members[1].name, "gpu");
	EXPECT_EQ(d.merged.origin(Field::addr_limit), 0);
	EXPECT_EQ(d.backend, "system");
}

TEST(WhatIf, AnImpossibleBufferSaysWhoAndWhy)
{
	const BufferDecision d = solve_one(R"({
		"devices": [{"name": "gpu", "iommu": true},
			    {"name": "isa", "dma_mask": "0xffffff"}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "b", "size": "32 MiB", "devices": ["gpu", "isa"]}]
	})");

	EXPECT_FALSE(d.feasible());
	EXPECT_NE(d.reason.find("address limit 0xffffff"), std::string::npos)
		<< d.reason;
	EXPECT_NE(d.reason.find("isa"), std::string::npos) << d.reason;
	for (const BackendVerdict &v : d.backends)
		EXPECT_FALSE(v.accepted);
}

TEST(WhatIf, CachedAndUncachedMembersConflict)
{
	const BufferDecision d = solve_one(R"({
		"devices": [{"name": "a", "iommu": true, "declares": {"coherency": "cached"}},
			    {"name": "b", "iommu": true, "declares": {"coherency": "uncached"}}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "x", "size": 4096, "devices": ["a", "b"]}]
	})");

	EXPECT_FALSE(d.feasible());
	EXPECT_NE(d.reason.find("cached"), std::string::npos) << d.reason;
}

TEST(WhatIf, NoBackendThatCanGiveTheCachingIsNamedAsSuch)
{
	const BufferDecision d = solve_one(R"({
		"devices": [{"name": "a", "iommu": true, "declares": {"coherency": "uncached"}}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"},
			     {"name": "wc", "kind": "scatter", "max_chunk": "4 MiB",
			      "coherency": ["uncached"]}],
		"buffers": [{"name": "x", "size": 4096, "devices": ["a"]}]
	})");

	ASSERT_EQ(d.backends.size(), 2U);
	EXPECT_FALSE(d.backends[0].accepted);
	EXPECT_NE(d.backends[0].reason.find("caching"), std::string::npos);
	EXPECT_EQ(d.backend, "wc");
}

// As the kernel does: a chunk that must be contiguous for a 64-bit device
// goes below 4 GiB first; scattered pages do not.
TEST(WhatIf, ContiguousChunksAnticipate32BitDevices)
{
	const BufferDecision d = solve_one(R"({
		"devices": [{"name": "display", "dma_mask": "0xffffffffffffffff"}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"},
			     {"name": "contig", "kind": "contig", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "b", "size": "1 MiB", "devices": ["display"]}]
	})");

	ASSERT_EQ(d.backend, "contig") << d.reason;
	ASSERT_EQ(d.backends.size(), 2U);
	EXPECT_GT(d.backends[1].addr_limit, kAnticipateLimit);
	EXPECT_EQ(d.backends[1].prefer_limit, kAnticipateLimit);

	const BufferDecision gpu = solve_one(R"({
		"devices": [{"name": "gpu", "iommu": true}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "b", "size": "1 MiB", "devices": ["gpu"]}]
	})");
	ASSERT_EQ(gpu.backend, "system");
	EXPECT_EQ(gpu.backends[0].prefer_limit, gpu.backends[0].addr_limit);
}

// Random platforms: whatever the solver picks, the worst-case layout of
// the chosen backend (its chunks split by each member's own rules) passes
// the kernel's independent verifier for every member, and the choice is
// the cheapest accepted backend.
TEST(WhatIf, ChosenPlansServeEveryMemberOnRandomPlatforms)
{
	std::mt19937_64 rng(std::random_device{}());
	const auto seed = rng();
	rng.seed(seed);
	SCOPED_TRACE("seed " + std::to_string(seed));
	auto pick = [&rng](std::uint64_t n) { return rng() % n; };

	const Document base = read_document(std::string(CEN_PROFILES_DIR) +
					    "/camera-display-soc.json");
	int feasible = 0, infeasible = 0;
	for (int round = 0; round < 300; round++) {
		Document doc;
		doc.backends = base.backends;
		for (int i = 0; i < 4; i++) {
			PlatformDevice d{.name = "dev" + std::to_string(i)};
			d.iommu = pick(3) == 0;
			d.dma_mask = (~0ULL) >> pick(40);
			if (pick(2))
				d.max_seg_size = 1ULL << (12 + pick(12));
			if (pick(3) == 0)
				d.seg_boundary_mask = (1ULL << (16 + pick(16))) - 1;
			if (pick(2))
				d.declared = Constraints().max_segments(
					pick(3) == 0 ? kAnySegments
						     : 1 + static_cast<std::uint32_t>(pick(64)));
			doc.devices.push_back(d);
		}
		PlatformBuffer buf{.name = "b",
				   .size = 1 + pick(48 * MiB)};
		for (const PlatformDevice &d : doc.devices)
			if (pick(2))
				buf.devices.push_back(d.name);
		doc.buffers.push_back(buf);

		const BufferDecision d = solve(doc).at(0);
		SCOPED_TRACE("round " + std::to_string(round) + ": " + d.reason);
		bool any_accepted = false;
		for (const BackendVerdict &v : d.backends)
			any_accepted = any_accepted || v.accepted;
		ASSERT_EQ(d.feasible(), any_accepted);
		if (!d.feasible()) {
			infeasible++;
			EXPECT_FALSE(d.reason.empty());
			continue;
		}
		feasible++;
		std::size_t chosen = 0;
		for (std::size_t i = 0; i < d.backends.size(); i++)
			if (d.backends[i].backend == d.backend)
				chosen = i;
		const BackendVerdict &v = d.backends[chosen];
		EXPECT_EQ(v.preference, 0U);
		for (std::size_t i = 0; i < d.backends.size(); i++) {
			if (d.backends[i].accepted) {
				EXPECT_LE(doc.backends[chosen].cost_rank,
					  doc.backends[i].cost_rank);
			}
		}

		// The chunks the plan allows in the worst case...
		cen_backend_desc desc{};
		desc.kind = doc.backends[chosen].kind == BackendKind::contiguous
				    ? CEN_BK_CONTIG
				    : CEN_BK_SCATTER;
		const cen_plan plan{.backend = static_cast<u32>(chosen),
				    .chunk = v.chunk,
				    .align = v.align,
				    .addr_limit = v.addr_limit,
				    .max_segments = v.max_segments,
				    .worst_addr = v.worst_case_addr,
				    .prefer_limit = v.addr_limit};
		const u64 n = cen_plan_synthetic_chunks(&plan, &desc, d.size,
							nullptr, 0);
		std::vector<cen_segment> chunks(n);
		cen_plan_synthetic_chunks(&plan, &desc, d.size, chunks.data(), n);
		// ...split for each member as its scatterlist would be, and
		// checked by the verifier.
		for (const ResolvedMember &m : d.members) {
			const cen_constraints c = to_cen(m.constraints, CEN_SRC_DEVICE);
			std::vector<cen_segment> segs;
			for (u64 i = 0; i < n; i++) {
				auto emit = [](void *ctx, u64 addr, u64 len) {
					static_cast<std::vector<cen_segment> *>(ctx)
						->push_back({addr, len});
					return 0;
				};
				ASSERT_EQ(cen_split_chunk(&c, chunks[i].addr,
							  chunks[i].len, i + 1 == n,
							  12, emit, &segs),
					  0);
			}
			cen_why why{};
			EXPECT_EQ(cen_verify(&c, segs.data(),
					     static_cast<u32>(segs.size()), d.size,
					     &why),
				  0)
				<< m.name << ": " << why_text(why);
			EXPECT_LE(segs.size(), v.max_segments) << m.name;
		}
	}
	// Both outcomes were exercised.
	EXPECT_GT(feasible, 30);
	EXPECT_GT(infeasible, 0);
}

// Found with the reviewer's bugs: buffers named their devices through a
// search of all devices, when reading and again when solving.  20,000
// devices and 54,000 references to the last one took 17 s; linear, well
// under a second even in a sanitizer build.  The bound is generous.
TEST(WhatIf, ManyDeviceReferencesReadAndSolveInLinearTime)
{
	constexpr int kDevices = 20'000;
	constexpr int kBuffers = 900;
	std::string text = R"({"backends": [{"name": "s", "kind": "scatter",
		"max_chunk": 4096}], "devices": [)";
	for (int i = 0; i < kDevices; i++)
		text += (i ? ",{\"name\":\"d" : "{\"name\":\"d") +
			std::to_string(i) + "\"}";
	std::string refs;
	for (int i = 0; i < 60; i++)
		refs += (i ? ",\"d" : "\"d") + std::to_string(kDevices - 1) + "\"";
	text += "], \"buffers\": [";
	for (int i = 0; i < kBuffers; i++)
		text += (i ? ",{\"name\":\"b" : "{\"name\":\"b") +
			std::to_string(i) + "\",\"size\":4096,\"devices\":[" +
			refs + "]}";
	text += "]}";

	const auto start = std::chrono::steady_clock::now();
	const Document doc = parse_document(text);
	const auto decisions = solve(doc);
	const auto took = std::chrono::steady_clock::now() - start;

	ASSERT_EQ(decisions.size(), static_cast<std::size_t>(kBuffers));
	EXPECT_EQ(decisions.back().members.size(), 60U);
	EXPECT_LT(took, std::chrono::seconds(5));
}
