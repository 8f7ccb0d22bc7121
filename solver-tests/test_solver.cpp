// cen_solve and cen_plan_synthetic_chunks.
#include "cen_test.hpp"

#include <gtest/gtest.h>

using namespace cen_test;

namespace {

constexpr u64 FRAME = 1920ULL * 1080 * 2; // 1080p YUYV
enum { SYSTEM, CONTIG, CMA, CARVEOUT };

struct Solve {
	cen_solution sol;
	int ret;
	std::vector<cen_backend_desc> b;

	Solve(const cen_constraints &c, u64 size,
	      std::vector<cen_backend_desc> backends = platform(),
	      unsigned shift = PAGE_SHIFT)
		: b(std::move(backends))
	{
		std::memset(&sol, 0x77, sizeof(sol));
		ret = cen_solve(&c, size, shift, b.data(),
				static_cast<u32>(b.size()), &sol);
	}
	std::vector<u32> order() const { return plan_order(sol); }
	u32 rejected(u32 i) const { return sol.rejected[i].code; }
	const cen_plan &best() const { return sol.plans[0]; }
};

cen_constraints gpu()
{
	cen_dev_caps caps{};
	caps.dma_mask = (1ULL << 40) - 1;
	caps.iommu = true;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);
	cen_resolve(&dev, nullptr, nullptr, false, &out);
	return out;
}

cen_constraints contiguous32()
{
	return Set(CEN_SRC_DEVICE).limit(0xffffffff).segs(1);
}

} // namespace

TEST(Solve, DevicesThatScatterNeverGetContiguousMemory)
{
	Solve s(gpu(), FRAME);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	EXPECT_EQ(s.order(), (std::vector<u32>{SYSTEM}));
	EXPECT_EQ(s.best().chunk, PAGE);
	EXPECT_EQ(s.sol.size, (FRAME + PAGE - 1) / PAGE * PAGE);
	EXPECT_EQ(s.rejected(SYSTEM), CEN_R_OK);
	for (u32 i : {CONTIG, CMA, CARVEOUT}) {
		EXPECT_EQ(s.rejected(i), CEN_R_NOT_NEEDED) << i;
		EXPECT_EQ(s.sol.rejected[i].member, i);
	}
}

TEST(Solve, NotNeededAlsoForDeclaredScatterGather)
{
	// No IOMMU but the driver says any number of 64 KiB segments.
	cen_constraints c = Set().limit(0xffffffff).segs(U32_MAX)
				    .seg_size(64 * KiB);
	Solve s(c, FRAME);
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.order(), (std::vector<u32>{SYSTEM}));
	EXPECT_EQ(s.rejected(CMA), CEN_R_NOT_NEEDED);
	EXPECT_EQ(s.best().addr_limit, 0xffffffffu);
}

TEST(Solve, ContiguousDeviceGetsOneChunk)
{
	Solve s(contiguous32(), FRAME);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	ASSERT_GE(s.sol.n_plans, 1u);
	for (u32 i = 0; i < s.sol.n_plans; i++) {
		const cen_plan &p = s.sol.plans[i];
		EXPECT_EQ(p.max_segments, 1u) << i;
		EXPECT_GE(p.chunk, s.sol.size) << i;
		EXPECT_LE(p.addr_limit, 0xffffffffu);
	}
	// Nothing scatters at page granularity, so nothing is "not needed".
	for (u32 i = 0; i < 4; i++)
		EXPECT_NE(s.rejected(i), CEN_R_NOT_NEEDED) << i;
}

TEST(Solve, PlansAreOrderedByCostRank)
{
	auto b = platform();
	b[SYSTEM].cost_rank = 9;
	b[CONTIG].cost_rank = 5;
	b[CMA].cost_rank = 1;
	b[CARVEOUT].cost_rank = 5;
	// A device that scatters is served by all four backends.
	cen_constraints sg = Set().limit(0xffffffff).segs(16);
	Solve s(sg, MiB, b);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	// Equal ranks keep the backend order.
	EXPECT_EQ(s.order(), (std::vector<u32>{CMA, CONTIG, CARVEOUT, SYSTEM}));
	// A contiguous one never by the scatter backend (one chunk holding
	// the whole buffer is the contiguous backends' job).
	Solve c(contiguous32(), MiB, b);
	ASSERT_EQ(c.ret, 0);
	EXPECT_EQ(c.order(), (std::vector<u32>{CMA, CONTIG, CARVEOUT}));
	EXPECT_EQ(c.rejected(SYSTEM), CEN_R_BACKEND_SEGMENTS);
}

TEST(Solve, RejectsEachBackendWithItsReason)
{
	// 24-bit device, contiguous, 8 MiB: the buddy allocator's 4 MiB is
	// too small, CMA and the carveout are above 16 MiB.
	cen_constraints c = Set(CEN_SRC_DEVICE).limit(0xffffff).segs(1);
	Solve s(c, 8 * MiB);
	EXPECT_EQ(s.ret, -ENOSPC);
	EXPECT_EQ(s.sol.n_plans, 0u);
	EXPECT_EQ(s.sol.why.code, CEN_R_NO_BACKEND);
	EXPECT_EQ(s.rejected(SYSTEM), CEN_R_BACKEND_SEGMENTS);
	EXPECT_EQ(s.rejected(CONTIG), CEN_R_CHUNK_TOO_SMALL);
	EXPECT_EQ(s.sol.rejected[CONTIG].value, 8 * MiB);
	EXPECT_EQ(s.sol.rejected[CONTIG].limit, 4 * MiB);
	EXPECT_EQ(s.rejected(CMA), CEN_R_ADDR_RANGE);
	EXPECT_EQ(s.rejected(CARVEOUT), CEN_R_ADDR_RANGE);
}

TEST(Solve, RejectsForSpace)
{
	auto b = platform();
	b[CMA].free_bytes = MiB;
	Solve s(contiguous32(), 2 * MiB, b);
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.rejected(CMA), CEN_R_NO_SPACE);
	EXPECT_EQ(s.sol.rejected[CMA].value, 2 * MiB);
	EXPECT_EQ(s.sol.rejected[CMA].limit, MiB);
}

TEST(Solve, RejectsForAlignment)
{
	cen_constraints c = Set().limit(0xffffffff).segs(1).align(128 * MiB);
	Solve s(c, MiB);
	EXPECT_EQ(s.rejected(SYSTEM), CEN_R_BACKEND_ALIGN);
	EXPECT_EQ(s.rejected(CONTIG), CEN_R_BACKEND_ALIGN);
	EXPECT_EQ(s.rejected(CMA), CEN_R_BACKEND_ALIGN);
	EXPECT_EQ(s.rejected(CARVEOUT), CEN_R_OK);
	EXPECT_EQ(s.order(), (std::vector<u32>{CARVEOUT}));
	EXPECT_EQ(s.best().align % (128 * MiB), 0u);
}

TEST(Solve, RejectsForCoherency)
{
	auto b = platform();
	b[SYSTEM].coherency_mask = 1u << CEN_COH_CACHED;
	cen_constraints c = Set().segs(U32_MAX).coherency(CEN_COH_UNCACHED);
	Solve s(c, MiB, b);
	EXPECT_EQ(s.rejected(SYSTEM), CEN_R_BACKEND_COHERENCY);
	EXPECT_EQ(s.sol.rejected[SYSTEM].value, CEN_COH_UNCACHED);
	// Without a page-scatter plan the contiguous ones are kept.
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.order(), (std::vector<u32>{CONTIG, CMA, CARVEOUT}));
}

TEST(Solve, ABackendSmallerThanTheBufferIsTooSmallNotOutOfRange)
{
	// 512 MiB contiguous below 4 GiB: the 256 MiB carveout at 1 GiB is
	// within the limit, it is just too small, and the reason says so.
	Solve s(Set().limit(0xffffffff).segs(1), 512 * MiB);
	EXPECT_EQ(s.rejected(CARVEOUT), CEN_R_CHUNK_TOO_SMALL);
	EXPECT_EQ(s.sol.rejected[CARVEOUT].value, 512 * MiB);
	EXPECT_EQ(s.sol.rejected[CARVEOUT].limit, 256 * MiB);
}

TEST(Solve, ScatterUsesLargerChunksForFewSegments)
{
	// 16 segments for 16 MiB: at least 1 MiB chunks.
	cen_constraints c = Set().limit(0xffffffff).segs(16);
	Solve s(c, 16 * MiB);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	EXPECT_EQ(s.best().backend, (u32)SYSTEM);
	EXPECT_EQ(s.best().chunk, MiB);
	EXPECT_LE(s.best().max_segments, 16u);
	// 2 segments for 16 MiB: only the large contiguous areas can.
	Solve t(Set().limit(0xffffffff).segs(2), 16 * MiB);
	ASSERT_EQ(t.ret, 0);
	EXPECT_EQ(t.order(), (std::vector<u32>{CMA, CARVEOUT}));
	EXPECT_EQ(t.rejected(SYSTEM), CEN_R_BACKEND_SEGMENTS);
	EXPECT_EQ(t.rejected(CONTIG), CEN_R_CHUNK_TOO_SMALL);
}

TEST(Solve, InfeasibleSetIsRefusedBeforeTheBackends)
{
	cen_constraints c = Set().seg_size(64 * KiB).segs(1);
	Solve s(c, FRAME);
	EXPECT_EQ(s.ret, -EINVAL);
	EXPECT_EQ(s.sol.why.code, CEN_R_TOO_FEW_SEGMENTS);
	EXPECT_EQ(s.sol.n_plans, 0u);
	for (u32 i = 0; i < 4; i++)
		EXPECT_EQ(s.rejected(i), CEN_R_TOO_FEW_SEGMENTS);
}

TEST(Solve, NoBackendAtAll)
{
	Solve s(gpu(), MiB, {});
	EXPECT_EQ(s.ret, -ENOSPC);
	EXPECT_EQ(s.sol.n_plans, 0u);
	EXPECT_EQ(s.sol.why.code, CEN_R_NO_BACKEND);
	EXPECT_EQ(s.sol.why.value, 0u);
}

TEST(Solve, AtMostMaxBackendsAreConsidered)
{
	std::vector<cen_backend_desc> b(CEN_MAX_BACKENDS + 3, platform()[0]);
	b.back().cost_rank = 0;
	for (u32 i = 0; i + 1 < b.size(); i++)
		b[i].cost_rank = 10 + i;
	Solve s(gpu(), MiB, b);
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.sol.n_plans, (u32)CEN_MAX_BACKENDS);
	for (u32 i = 0; i < s.sol.n_plans; i++)
		EXPECT_LT(s.sol.plans[i].backend, (u32)CEN_MAX_BACKENDS);
}

TEST(Solve, SizeZeroAndOne)
{
	Solve z(gpu(), 0);
	EXPECT_EQ(z.ret, -EINVAL);
	EXPECT_EQ(z.sol.why.code, CEN_R_ZERO_SIZE);
	Solve one(contiguous32(), 1);
	ASSERT_EQ(one.ret, 0);
	EXPECT_EQ(one.sol.size, PAGE);
}

TEST(Solve, SizesAroundAPage)
{
	for (u64 size : U64s{PAGE - 1, PAGE, PAGE + 1}) {
		Solve s(contiguous32(), size);
		ASSERT_EQ(s.ret, 0) << size;
		EXPECT_EQ(s.sol.size, (size + PAGE - 1) / PAGE * PAGE);
	}
	// Byte granules keep the size as is.
	Solve b(gpu(), PAGE + 1, platform(), 0);
	ASSERT_EQ(b.ret, 0);
	EXPECT_EQ(b.sol.size, PAGE + 1);
}

TEST(Solve, SizesNear4GiB)
{
	cen_constraints dma32 = Set().limit(0xffffffff).segs(U32_MAX);
	auto b = platform();
	b[SYSTEM].free_bytes = 8 * GiB;
	Solve s(dma32, 4 * GiB - PAGE, b);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	EXPECT_EQ(s.best().backend, (u32)SYSTEM);
	Solve over(dma32, 4 * GiB - PAGE + 1, b);
	EXPECT_EQ(over.ret, -EINVAL);
	EXPECT_EQ(over.sol.why.code, CEN_R_ADDR_LIMIT_TOO_LOW);
	Solve big(gpu(), 4 * GiB + 1, b);
	ASSERT_EQ(big.ret, 0);
	EXPECT_EQ(big.sol.size, 4 * GiB + PAGE);
}

TEST(Solve, SizesNear2To64)
{
	Solve s(gpu(), U64_MAX - PAGE + 1);
	EXPECT_EQ(s.ret, -ENOSPC);
	for (u32 i = 0; i < 4; i++)
		EXPECT_NE(s.rejected(i), CEN_R_OK) << i;
	Solve o(gpu(), U64_MAX);
	EXPECT_EQ(o.ret, -EINVAL);
	EXPECT_EQ(o.sol.why.code, CEN_R_SIZE_OVERFLOW);
}

TEST(Solve, Masks24And32Bit)
{
	// 24-bit: only the zone-capable system backend reaches below 16 MiB.
	cen_constraints isa = Set().limit(0xffffff).segs(U32_MAX);
	Solve s(isa, MiB);
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.order(), (std::vector<u32>{SYSTEM}));
	EXPECT_EQ(s.best().addr_limit, 0xffffffu);
	// 32-bit contiguous: system, buddy, CMA (below 4 GiB), carveout.
	Solve t(contiguous32(), MiB);
	ASSERT_EQ(t.ret, 0);
	for (u32 i = 0; i < t.sol.n_plans; i++)
		EXPECT_LE(t.sol.plans[i].addr_limit, 0xffffffffu);
	// A backend that cannot stay below the limit is refused.
	auto b = platform();
	b[CONTIG].lowest_limit = 8 * GiB - 1;
	Solve u(contiguous32(), MiB, b);
	EXPECT_EQ(u.rejected(CONTIG), CEN_R_ADDR_RANGE);
}

TEST(Solve, BoundaryMaskSmallerThanSegmentSize)
{
	// 1 MiB segments, 64 KiB windows, 16 segments: a 1 MiB buffer only
	// fits if it starts on a window.
	cen_constraints c = Set().limit(0xffffffff).segs(16).seg_size(MiB)
				    .boundary(0xffff);
	Solve s(c, MiB);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	for (u32 i = 0; i < s.sol.n_plans; i++)
		EXPECT_LE(s.sol.plans[i].max_segments, 16u);
	Solve t(Set(c).segs(15), MiB);
	EXPECT_EQ(t.ret, -EINVAL);
	EXPECT_EQ(t.sol.why.code, CEN_R_TOO_FEW_SEGMENTS);
}

TEST(Solve, AlignmentLargerThanTheBuffer)
{
	cen_constraints c = Set().limit(0xffffffff).segs(1).align(2 * MiB);
	Solve s(c, PAGE);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	for (u32 i = 0; i < s.sol.n_plans; i++) {
		EXPECT_EQ(s.sol.plans[i].align % (2 * MiB), 0u);
		EXPECT_EQ(s.sol.plans[i].worst_addr % (2 * MiB), 0u);
	}
}

TEST(Solve, SyntheticChunksOfAScatterPlan)
{
	Solve s(gpu(), 3 * PAGE + 1);
	ASSERT_EQ(s.ret, 0);
	const cen_plan &p = s.best();
	std::vector<cen_segment> ch(8);
	u64 n = cen_plan_synthetic_chunks(&p, &s.b[p.backend], s.sol.size,
					  ch.data(), ch.size());
	ASSERT_EQ(n, 4u);
	ch.resize(n);
	u64 total = 0;
	for (auto &c : ch) {
		EXPECT_EQ(c.len, PAGE);
		EXPECT_EQ(c.addr % p.align, 0u);
		EXPECT_GE(c.addr, s.b[p.backend].addr_lo);
		total += c.len;
	}
	EXPECT_EQ(total, s.sol.size);
	// Not adjacent in address order: no two chunks merge.
	EXPECT_GT(ch[0].addr, ch[1].addr);
	// A short array is filled as far as it goes, the count is exact.
	EXPECT_EQ(cen_plan_synthetic_chunks(&p, &s.b[p.backend], s.sol.size,
					    ch.data(), 2),
		  4u);
	EXPECT_EQ(cen_plan_synthetic_chunks(&p, &s.b[p.backend], 0, ch.data(),
					    2),
		  0u);
}

TEST(Solve, SyntheticChunkOfAContiguousPlan)
{
	auto b = platform();
	b[SYSTEM].free_bytes = 0; // force a contiguous backend
	Solve s(contiguous32(), FRAME, b);
	ASSERT_EQ(s.ret, 0);
	const cen_plan &p = s.best();
	EXPECT_EQ(p.backend, (u32)CONTIG);
	cen_segment ch;
	ASSERT_EQ(cen_plan_synthetic_chunks(&p, &s.b[p.backend], s.sol.size,
					    &ch, 1),
		  1u);
	EXPECT_EQ(ch.addr, p.worst_addr);
	EXPECT_EQ(ch.len, s.sol.size);
	EXPECT_EQ(ch.addr % p.align, 0u);
	EXPECT_LE(ch.addr + ch.len - 1, p.addr_limit);
}

// ---- several members, each with its own scatterlist ----

namespace {

struct SolveMembers {
	cen_solution sol;
	int ret;
	std::vector<cen_backend_desc> b;

	SolveMembers(const std::vector<cen_constraints> &m, u64 size,
		     std::vector<cen_backend_desc> backends = platform())
		: b(std::move(backends))
	{
		ret = cen_solve_members(m.data(), static_cast<u32>(m.size()),
					size, PAGE_SHIFT, b.data(),
					static_cast<u32>(b.size()), &sol);
	}
	std::vector<u32> order() const { return plan_order(sol); }
};

cen_constraints display()
{
	return Set().limit(0xffffffff).segs(U32_MAX).seg_size(64 * KiB)
		.boundary(0xffffffff);
}

} // namespace

TEST(SolveMembers, CameraAndDisplayShareOneContiguousBuffer)
{
	// The intersection (1 segment of at most 64 KiB) is impossible, but
	// each device splits the backing by its own rules.
	cen_constraints merged = any();
	cen_constraints cam = contiguous32(), disp = display();
	cen_merge(&merged, &cam, 0);
	cen_merge(&merged, &disp, 1);
	EXPECT_EQ(cen_check(&merged, FRAME, PAGE_SHIFT, nullptr), -EINVAL);

	SolveMembers s({cam, disp}, FRAME);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	EXPECT_EQ(s.order(), (std::vector<u32>{CONTIG, CMA, CARVEOUT}));
	const cen_plan &p = s.sol.plans[0];
	EXPECT_EQ(p.chunk, s.sol.size);
	// Worst case over the members: the display's 64 KiB pieces.
	EXPECT_EQ(p.max_segments, (s.sol.size + 64 * KiB - 1) / (64 * KiB));
	EXPECT_EQ(s.sol.rejected[SYSTEM].code, CEN_R_BACKEND_SEGMENTS);
}

TEST(SolveMembers, OneMemberIsCenSolve)
{
	for (const cen_constraints &c : {gpu(), contiguous32(), display()}) {
		SolveMembers m({c}, FRAME);
		Solve s(c, FRAME);
		ASSERT_EQ(m.ret, s.ret);
		EXPECT_EQ(std::memcmp(&m.sol, &s.sol, sizeof(m.sol)), 0);
	}
}

TEST(SolveMembers, DisplayAndGpuScatter)
{
	SolveMembers s({display(), gpu()}, FRAME);
	ASSERT_EQ(s.ret, 0);
	EXPECT_EQ(s.order(), (std::vector<u32>{SYSTEM}));
	EXPECT_EQ(s.sol.rejected[CMA].code, CEN_R_NOT_NEEDED);
	EXPECT_EQ(s.sol.rejected[CARVEOUT].code, CEN_R_NOT_NEEDED);
	EXPECT_LE(s.sol.plans[0].addr_limit, 0xffffffffu);
}

TEST(SolveMembers, ContiguousBackendIsNotRefusedForABoundaryAboveTheLimit)
{
	// A 32-bit device with 4 GiB boundary windows: no chunk below its
	// limit can straddle a window, so the buddy allocator serves it even
	// though the backend's range reaches beyond 4 GiB.
	auto b = platform();
	b[SYSTEM].free_bytes = 0;
	cen_constraints c = Set().limit(0xffffffff).segs(64).seg_size(64 * KiB)
				    .boundary(0xffffffff);
	SolveMembers s({c}, 4 * MiB, b);
	ASSERT_EQ(s.ret, 0) << why_text(s.sol.why);
	EXPECT_EQ(s.sol.rejected[CONTIG].code, CEN_R_OK)
		<< why_text(s.sol.rejected[CONTIG]);
	EXPECT_EQ(s.order()[0], (u32)CONTIG);
}

TEST(SolveMembers, ContiguousPlanHoldsForEveryMembersWindow)
{
	// A wants 64 KiB windows and scatters; B takes one segment inside a
	// 1 MiB window.  A 512 KiB chunk aligned only to 64 KiB could
	// straddle a 1 MiB boundary and give B two segments.
	auto b = platform();
	b[SYSTEM].free_bytes = 0;
	cen_constraints a = Set().limit(0xffffffff).segs(U32_MAX).boundary(0xffff);
	cen_constraints bb = Set().limit(0xffffffff).segs(1).boundary(0xfffff);
	SolveMembers s({a, bb}, 512 * KiB, b);
	ASSERT_EQ(s.ret, 0) << why_text(s.sol.why);
	for (u32 i = 0; i < s.sol.n_plans; i++) {
		const cen_plan &p = s.sol.plans[i];
		// Any p.align-aligned 512 KiB chunk must stay in one 1 MiB
		// window: the alignment has to be at least 512 KiB.
		EXPECT_GE(p.align, 512 * KiB) << s.b[p.backend].name;
	}
}

TEST(SolveMembers, MemberThatCannotBeServedIsNamed)
{
	// Both fine alone, but no address is 2 MiB-aligned, below 16 MiB and
	// leaves room for... the 24-bit limit of member 1 and the 32 MiB size.
	cen_constraints big = Set().limit(0xffffffff).segs(U32_MAX);
	cen_constraints isa = Set().limit(0xffffff).segs(U32_MAX);
	SolveMembers s({big, isa}, 32 * MiB);
	EXPECT_EQ(s.ret, -EINVAL);
	EXPECT_EQ(s.sol.why.code, CEN_R_ADDR_LIMIT_TOO_LOW);
	EXPECT_EQ(s.sol.why.field, CEN_F_ADDR_LIMIT);
	EXPECT_EQ(s.sol.why.member, 1u);
	// Segment counts are per member: member 1 takes one 64 KiB segment.
	cen_constraints one = Set().limit(0xffffffff).segs(1).seg_size(64 * KiB);
	SolveMembers t({big, one}, 128 * KiB);
	EXPECT_EQ(t.ret, -EINVAL);
	EXPECT_EQ(t.sol.why.code, CEN_R_TOO_FEW_SEGMENTS);
	EXPECT_EQ(t.sol.why.member, 1u);
}

TEST(SolveMembers, BackingViewDropsTheSegmentRules)
{
	cen_constraints m = Set().limit(0xffffffff).segs(1).seg_size(64 * KiB)
				    .boundary(0xffff).align(8192)
				    .coherency(CEN_COH_CACHED);
	cen_constraints v;
	cen_backing_view(&m, &v);
	EXPECT_EQ(v.addr_limit, 0xffffffffu);
	EXPECT_EQ(v.align, 8192u);
	EXPECT_EQ(v.coherency, CEN_COH_CACHED);
	EXPECT_EQ(v.max_segments, U32_MAX);
	EXPECT_EQ(v.max_seg_size, U64_MAX);
	EXPECT_EQ(v.seg_boundary_mask, U64_MAX);
	for (int f : {CEN_F_MAX_SEGMENTS, CEN_F_MAX_SEG_SIZE, CEN_F_SEG_BOUNDARY}) {
		EXPECT_EQ(v.src[f], CEN_SRC_NONE);
		EXPECT_EQ(v.origin[f], CEN_ORIGIN_NONE);
	}
	EXPECT_EQ(v.src[CEN_F_ADDR_LIMIT], m.src[CEN_F_ADDR_LIMIT]);
}

namespace {

constexpr u64 LOW = 0xffffffffULL; // what 32-bit devices reach

cen_constraints contiguous64()
{
	return Set(CEN_SRC_DEFAULT).limit(U64_MAX).segs(1);
}

} // namespace

// A display that must be contiguous (the default policy) but reaches all
// memory: its chunk is placed where a 32-bit camera attaching later finds
// it, on every contiguous backend that can keep memory there.
TEST(Anticipate, ContiguousChunksArePlacedWithinReachOf32BitDevices)
{
	Solve s(contiguous64(), FRAME / 2);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	ASSERT_EQ(s.order(), (std::vector<u32>{CONTIG, CMA, CARVEOUT}));
	EXPECT_EQ(s.sol.plans[0].prefer_limit, s.sol.plans[0].addr_limit)
		<< "nothing is anticipated before cen_solution_anticipate";
	EXPECT_EQ(cen_solution_anticipate(&s.sol, s.b.data(), 4, LOW), 1U);
	// The buddy's chunk may come from anywhere up to 8 GiB: lowered.
	EXPECT_EQ(s.sol.plans[0].addr_limit, 8 * GiB - 1);
	EXPECT_EQ(s.sol.plans[0].prefer_limit, LOW);
	// CMA and the carveout lie below 4 GiB already.
	for (u32 i : {1U, 2U})
		EXPECT_EQ(s.sol.plans[i].prefer_limit,
			  s.sol.plans[i].addr_limit) << i;
}

// Memory nobody constrains stays where it is plentiful.
TEST(Anticipate, ScatteredPagesAreNeverLowered)
{
	Solve s(gpu(), FRAME);
	ASSERT_EQ(s.ret, 0) << s.sol.why;
	EXPECT_EQ(cen_solution_anticipate(&s.sol, s.b.data(), 4, LOW), 0U);
	EXPECT_EQ(s.best().prefer_limit, s.best().addr_limit);
}

// A device that already limits the buffer below the anticipated limit
// is the limit; 0 and U64_MAX turn anticipation off.
TEST(Anticipate, NothingToDoAtOrBelowTheLimitOrWhenOff)
{
	Solve low(contiguous32(), FRAME / 2);
	ASSERT_EQ(low.ret, 0) << low.sol.why;
	EXPECT_EQ(cen_solution_anticipate(&low.sol, low.b.data(), 4, LOW), 0U);
	EXPECT_EQ(low.best().prefer_limit, LOW);
	for (const u64 off : {u64{0}, u64{U64_MAX}}) {
		Solve s(contiguous64(), FRAME / 2);
		EXPECT_EQ(cen_solution_anticipate(&s.sol, s.b.data(), 4, off),
			  0U) << off;
	}
}

// A chunk that does not fit below the limit, or a backend that cannot
// keep memory there (its lowest zone is above it), is left where it may
// go: anticipation never turns a feasible plan into a failing one.
TEST(Anticipate, OnlyWhereTheChunkFitsBelowTheLimit)
{
	auto b = platform();
	b[CONTIG].lowest_limit = 8 * GiB - 1;	// no low zones
	b[CONTIG].addr_lo = 5 * GiB;
	Solve high(contiguous64(), FRAME / 2, b);
	ASSERT_EQ(high.ret, 0) << high.sol.why;
	EXPECT_EQ(cen_solution_anticipate(&high.sol, high.b.data(), 4, LOW),
		  0U);

	// A backend that can keep memory under any limit: 24 KiB (aligned
	// to 32 KiB, the buffer's size rounded up, so at 32 KiB at best)
	// does not fit below 48 KiB; 12 KiB (at 16 KiB) does.
	auto anywhere = platform();
	anywhere[CONTIG].lowest_limit = PAGE;
	Solve big(contiguous64(), 24 * KiB, anywhere);
	ASSERT_EQ(big.ret, 0) << big.sol.why;
	EXPECT_EQ(cen_solution_anticipate(&big.sol, big.b.data(), 4,
					  48 * KiB - 1), 0U);
	Solve fits(contiguous64(), 12 * KiB, anywhere);
	ASSERT_EQ(fits.ret, 0) << fits.sol.why;
	EXPECT_EQ(cen_solution_anticipate(&fits.sol, fits.b.data(), 4,
					  32 * KiB - 1), 1U);
	EXPECT_EQ(fits.best().prefer_limit, 32 * KiB - 1);
}
