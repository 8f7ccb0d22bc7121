// Layout: effective segment size, piece length, chunk splitting, verifier.
#include "cen_test.hpp"

#include <gtest/gtest.h>

using namespace cen_test;
using Segs = std::vector<cen_segment>;

TEST(Layout, EffSegSizeIsThePowerOfTwoBelow)
{
	const std::pair<u64, u64> cases[] = {
		{65535, 32 * KiB},     {65536, 64 * KiB},
		{U32_MAX, 2 * GiB},    {U64_MAX, 1ULL << 63},
		{1, 1},		       {0, 0},
		{PAGE, PAGE},	       {3 * PAGE, 2 * PAGE},
	};
	for (auto [in, out] : cases) {
		cen_constraints c = Set().seg_size(in);
		EXPECT_EQ(cen_eff_seg_size(&c), out) << in;
	}
}

TEST(Layout, InnerSegMax)
{
	auto q = [](const cen_constraints &c, unsigned shift = PAGE_SHIFT) {
		return cen_inner_seg_max(&c, shift);
	};
	EXPECT_EQ(q(any()), 1ULL << 63);
	EXPECT_EQ(q(Set().seg_size(65535)), 32 * KiB);
	// Boundary window smaller than the segment size wins.
	EXPECT_EQ(q(Set().seg_size(64 * KiB).boundary(0x3fff)), 16 * KiB);
	EXPECT_EQ(q(Set().seg_size(16 * KiB).boundary(0xffff)), 16 * KiB);
	EXPECT_EQ(q(Set().boundary(0xffffffff)), 4 * GiB);
	// Below the alignment or the granule: only one segment possible.
	EXPECT_EQ(q(Set().seg_size(PAGE).align(64 * KiB)), 0u);
	EXPECT_EQ(q(Set().boundary(0xffff).align(128 * KiB)), 0u);
	EXPECT_EQ(q(Set().seg_size(PAGE - 1)), 0u);
	EXPECT_EQ(q(Set().seg_size(PAGE).align(PAGE)), PAGE);
	EXPECT_EQ(q(Set().boundary(0), 0), 1u);
}

TEST(Layout, ChunkSegmentsCountsPieces)
{
	cen_constraints c = Set().seg_size(64 * KiB).boundary(0xffff);
	auto n = [&](u64 addr, u64 len, bool last = true) {
		return cen_chunk_segments(&c, addr, len, last, PAGE_SHIFT);
	};
	EXPECT_EQ(n(64 * KiB, 64 * KiB), 1u);
	EXPECT_EQ(n(64 * KiB, 256 * KiB), 4u);
	// Unaligned start: a short piece up to the window, then full ones.
	EXPECT_EQ(n(0x1000, 64 * KiB), 2u);
	EXPECT_EQ(n(0x1000, 128 * KiB), 3u);
	EXPECT_EQ(n(0xf000, PAGE), 1u);
	EXPECT_EQ(n(0xf000, 2 * PAGE), 2u);
	EXPECT_EQ(n(0x10000, 64 * KiB + PAGE, false), 2u);
}

TEST(Layout, ChunkSegmentsRefusesRunsItCannotSplit)
{
	cen_constraints c = Set().align(64 * KiB);
	auto n = [&](u64 addr, u64 len, bool last) {
		return cen_chunk_segments(&c, addr, len, last, PAGE_SHIFT);
	};
	EXPECT_EQ(n(64 * KiB, 0, true), U64_MAX);	      // empty
	EXPECT_EQ(n(64 * KiB + 1, PAGE, true), U64_MAX);     // not a page
	EXPECT_EQ(n(64 * KiB, PAGE + 1, true), U64_MAX);     // not pages
	EXPECT_EQ(n(PAGE, PAGE, true), U64_MAX);	      // misaligned
	EXPECT_EQ(n(64 * KiB, PAGE, false), U64_MAX);	      // length
	EXPECT_EQ(n(64 * KiB, PAGE, true), 1u);		      // last: ok
	EXPECT_EQ(n(U64_MAX - 0xffff, 128 * KiB, true), U64_MAX); // wraps
	// Only one segment possible (pieces below alignment).
	cen_constraints one = Set().align(64 * KiB).seg_size(16 * KiB);
	EXPECT_EQ(cen_chunk_segments(&one, 64 * KiB, 16 * KiB, true,
				     PAGE_SHIFT),
		  1u);
	EXPECT_EQ(cen_chunk_segments(&one, 64 * KiB, 16 * KiB, false,
				     PAGE_SHIFT),
		  U64_MAX);
	EXPECT_EQ(cen_chunk_segments(&one, 64 * KiB, 32 * KiB, true,
				     PAGE_SHIFT),
		  U64_MAX);
}

TEST(Layout, SplitChunkMatchesCountAndTiles)
{
	cen_constraints c = Set().seg_size(64 * KiB).boundary(0xffff);
	Segs s;
	ASSERT_EQ(split(c, 0x1000, 128 * KiB, true, PAGE_SHIFT, s), 0);
	Segs want = {{0x1000, 60 * KiB}, {0x10000, 64 * KiB},
		     {0x20000, 4 * KiB}};
	EXPECT_EQ(s, want);
	EXPECT_EQ(cen_chunk_segments(&c, 0x1000, 128 * KiB, true, PAGE_SHIFT),
		  s.size());
}

TEST(Layout, SplitChunkEffectiveSegSize)
{
	// 65535 bytes counts as 32 KiB.
	cen_constraints c = Set().seg_size(65535);
	Segs s;
	ASSERT_EQ(split(c, 0x100000, 80 * KiB, true, PAGE_SHIFT, s), 0);
	Segs want = {{0x100000, 32 * KiB}, {0x108000, 32 * KiB},
		     {0x110000, 16 * KiB}};
	EXPECT_EQ(s, want);
}

TEST(Layout, SplitChunkSinglePiece)
{
	cen_constraints c = Set().align(64 * KiB).seg_size(16 * KiB);
	Segs s;
	ASSERT_EQ(split(c, 64 * KiB, 8 * KiB, true, PAGE_SHIFT, s), 0);
	EXPECT_EQ(s, (Segs{{64 * KiB, 8 * KiB}}));
	s.clear();
	EXPECT_EQ(split(c, 64 * KiB, 8 * KiB, false, PAGE_SHIFT, s), -EINVAL);
	EXPECT_EQ(split(c, 64 * KiB, 32 * KiB, true, PAGE_SHIFT, s), -EINVAL);
	EXPECT_TRUE(s.empty());
}

TEST(Layout, SplitChunkRejectsBadRuns)
{
	Segs s;
	cen_constraints c = Set().align(8 * KiB);
	EXPECT_EQ(split(c, PAGE, PAGE, true, PAGE_SHIFT, s), -EINVAL);
	EXPECT_EQ(split(c, 8 * KiB, 0, true, PAGE_SHIFT, s), -EINVAL);
	EXPECT_EQ(split(c, 8 * KiB, 100, true, PAGE_SHIFT, s), -EINVAL);
	EXPECT_EQ(split(c, 8 * KiB, 100, true, 0, s), 0);
	EXPECT_EQ(s, (Segs{{8 * KiB, 100}}));
}

static int stop_after_two(void *ctx, u64, u64)
{
	return ++*static_cast<int *>(ctx) == 2 ? -ENOSPC : 0;
}

TEST(Layout, SplitChunkStopsWhenEmitFails)
{
	cen_constraints c = Set().seg_size(PAGE);
	int calls = 0;
	EXPECT_EQ(cen_split_chunk(&c, PAGE, 8 * PAGE, true, PAGE_SHIFT,
				  stop_after_two, &calls),
		  -ENOSPC);
	EXPECT_EQ(calls, 2);
}

TEST(Layout, SplitChunkAtTheTopOfTheAddressSpace)
{
	Segs s;
	cen_constraints c = any();
	ASSERT_EQ(split(c, U64_MAX - 2 * PAGE + 1, 2 * PAGE, true, PAGE_SHIFT,
			s),
		  0);
	EXPECT_EQ(s, (Segs{{U64_MAX - 2 * PAGE + 1, 2 * PAGE}}));
}

// ---- verifier: one test per finding ----

static cen_why verify(const cen_constraints &c, const Segs &s, u64 size)
{
	cen_why why;
	std::memset(&why, 0x5a, sizeof(why));
	int ret = cen_verify(&c, s.data(), static_cast<u32>(s.size()), size,
			     &why);
	EXPECT_EQ(ret, why.code == CEN_R_OK ? 0 : -EINVAL) << why;
	return why;
}

TEST(Verify, AcceptsAGoodList)
{
	cen_constraints c = Set().limit(0xffffffff).segs(3).seg_size(64 * KiB)
				    .boundary(0xffff).align(PAGE);
	Segs s = {{0x20000, 64 * KiB}, {0x1000, 60 * KiB}, {0x40000, 100}};
	cen_why w = verify(c, s, 124 * KiB + 100);
	EXPECT_EQ(w.code, CEN_R_OK);
	EXPECT_EQ(w.member, CEN_ORIGIN_NONE);
	EXPECT_EQ(cen_verify(&c, s.data(), 3, 124 * KiB + 100, nullptr), 0);
	// The empty list of an empty buffer.
	EXPECT_EQ(verify(c, {}, 0).code, CEN_R_OK);
}

TEST(Verify, Count)
{
	cen_constraints c = Set().segs(1);
	cen_why w = verify(c, {{PAGE, PAGE}, {3 * PAGE, PAGE}}, 2 * PAGE);
	EXPECT_EQ(w.code, CEN_R_SEG_COUNT);
	EXPECT_EQ(w.value, 2u);
	EXPECT_EQ(w.limit, 1u);
}

TEST(Verify, Empty)
{
	cen_why w = verify(any(), {{PAGE, PAGE}, {3 * PAGE, 0}}, PAGE);
	EXPECT_EQ(w.code, CEN_R_SEG_EMPTY);
	EXPECT_EQ(w.member, 1u);
}

TEST(Verify, AddressZero)
{
	cen_why w = verify(any(), {{0, PAGE}}, PAGE);
	EXPECT_EQ(w.code, CEN_R_SEG_ADDR_ZERO);
	EXPECT_EQ(w.member, 0u);
}

TEST(Verify, AboveLimit)
{
	cen_constraints c = Set().limit(0xffffffff);
	EXPECT_EQ(verify(c, {{4 * GiB - PAGE, PAGE}}, PAGE).code, CEN_R_OK);
	cen_why w = verify(c, {{4 * GiB - PAGE, PAGE + 1}}, PAGE + 1);
	EXPECT_EQ(w.code, CEN_R_SEG_ABOVE_LIMIT);
	EXPECT_EQ(w.field, CEN_F_ADDR_LIMIT);
	EXPECT_EQ(w.limit, 0xffffffffu);
	// A segment that wraps around the address space.
	EXPECT_EQ(verify(any(), {{U64_MAX, 2}}, 2).code,
		  CEN_R_SEG_ABOVE_LIMIT);
	EXPECT_EQ(verify(any(), {{U64_MAX, 1}}, 1).code, CEN_R_OK);
}

TEST(Verify, TooLong)
{
	cen_constraints c = Set().seg_size(65535);
	EXPECT_EQ(verify(c, {{PAGE, 32 * KiB}}, 32 * KiB).code, CEN_R_OK);
	cen_why w = verify(c, {{PAGE, 32 * KiB + 1}}, 32 * KiB + 1);
	EXPECT_EQ(w.code, CEN_R_SEG_TOO_LONG);
	EXPECT_EQ(w.field, CEN_F_MAX_SEG_SIZE);
	EXPECT_EQ(w.value, 32 * KiB + 1);
	EXPECT_EQ(w.limit, 32 * KiB);
}

TEST(Verify, CrossesBoundary)
{
	cen_constraints c = Set().boundary(0xffff);
	EXPECT_EQ(verify(c, {{0x10000, 0x10000}}, 0x10000).code, CEN_R_OK);
	cen_why w = verify(c, {{0xf000, 0x2000}}, 0x2000);
	EXPECT_EQ(w.code, CEN_R_SEG_CROSSES_BOUNDARY);
	EXPECT_EQ(w.field, CEN_F_SEG_BOUNDARY);
	EXPECT_EQ(w.limit, 0xffffu);
}

TEST(Verify, Misaligned)
{
	cen_constraints c = Set().align(64 * KiB);
	cen_why w = verify(c, {{0x10000, 0x10000}, {0x31000, 1}}, 0x10001);
	EXPECT_EQ(w.code, CEN_R_SEG_MISALIGNED);
	EXPECT_EQ(w.member, 1u);
	EXPECT_EQ(w.value, 0x31000u);
	EXPECT_EQ(w.limit, 64 * KiB);
}

TEST(Verify, LengthUnaligned)
{
	cen_constraints c = Set().align(64 * KiB);
	// Only the last segment may have a length that is not a multiple.
	EXPECT_EQ(verify(c, {{0x10000, 0x10000}, {0x30000, 1}}, 0x10001).code,
		  CEN_R_OK);
	cen_why w = verify(c, {{0x30000, 1}, {0x10000, 0x10000}}, 0x10001);
	EXPECT_EQ(w.code, CEN_R_SEG_LENGTH_UNALIGNED);
	EXPECT_EQ(w.member, 0u);
}

TEST(Verify, Overlap)
{
	cen_why w = verify(any(), {{PAGE, 2 * PAGE}, {2 * PAGE, PAGE}},
			   3 * PAGE);
	EXPECT_EQ(w.code, CEN_R_SEG_OVERLAP);
	EXPECT_EQ(w.member, 1u);
	EXPECT_EQ(verify(any(), {{PAGE, PAGE}, {PAGE, PAGE}}, 2 * PAGE).code,
		  CEN_R_SEG_OVERLAP);
	// Adjacent is not overlapping.
	EXPECT_EQ(verify(any(), {{2 * PAGE, PAGE}, {PAGE, PAGE}}, 2 * PAGE)
			  .code,
		  CEN_R_OK);
}

TEST(Verify, Total)
{
	cen_why w = verify(any(), {{PAGE, PAGE}}, PAGE + 1);
	EXPECT_EQ(w.code, CEN_R_SEG_TOTAL);
	EXPECT_EQ(w.value, PAGE);
	EXPECT_EQ(w.limit, PAGE + 1);
	// Lengths whose sum wraps around 2^64.
	const u64 half = 1ULL << 63;
	EXPECT_EQ(verify(any(), {{1, half}, {half + 1, half - 1}, {PAGE, 1}},
			 U64_MAX)
			  .code,
		  CEN_R_SEG_TOTAL);
}
