// cen_check: feasibility of a merged set, one test per reason code.
#include "cen_test.hpp"

#include <gtest/gtest.h>

using namespace cen_test;

static cen_why check(const cen_constraints &c, u64 size,
		     unsigned shift = PAGE_SHIFT)
{
	cen_why why;
	std::memset(&why, 0xa5, sizeof(why));
	int ret = cen_check(&c, size, shift, &why);
	EXPECT_EQ(ret, why.code == CEN_R_OK ? 0 : -EINVAL) << why;
	return why;
}

TEST(Check, UnconstrainedSetTakesAnySize)
{
	for (u64 size : U64s{1ULL, PAGE - 1, PAGE, PAGE + 1, 1920ULL * 1080 * 2,
			 4 * GiB, (1ULL << 62)})
		EXPECT_EQ(check(any(), size).code, CEN_R_OK) << size;
	cen_constraints c = any();
	EXPECT_EQ(cen_check(&c, PAGE, PAGE_SHIFT, nullptr), 0);
}

TEST(Check, ZeroSize)
{
	EXPECT_EQ(check(any(), 0).code, CEN_R_ZERO_SIZE);
}

TEST(Check, SizeOverflowWhenRoundedToGranules)
{
	cen_why w = check(any(), U64_MAX - 10);
	EXPECT_EQ(w.code, CEN_R_SIZE_OVERFLOW);
	// With byte granules the same size does not overflow.
	EXPECT_NE(check(any(), U64_MAX - 10, 0).code, CEN_R_SIZE_OVERFLOW);
}

TEST(Check, MalformedValuesAreRejectedFirst)
{
	EXPECT_EQ(check(Set().align(48), PAGE).code, CEN_R_BAD_ALIGN);
	EXPECT_EQ(check(Set().boundary(0x1000), PAGE).code,
		  CEN_R_BAD_BOUNDARY);
	EXPECT_EQ(check(Set().segs(0), PAGE).code, CEN_R_ZERO_SEGMENTS);
	cen_constraints c = any();
	c.coherency = CEN_COH_COUNT;
	EXPECT_EQ(check(c, PAGE).code, CEN_R_BAD_COHERENCY);
}

TEST(Check, SegmentBelowGranule)
{
	cen_why w = check(Set().seg_size(PAGE - 1), PAGE);
	EXPECT_EQ(w.code, CEN_R_SEG_BELOW_GRANULE);
	EXPECT_EQ(w.field, CEN_F_MAX_SEG_SIZE);
	EXPECT_EQ(w.member, CEN_ORIGIN_NONE); // not a merged set
	EXPECT_EQ(w.value, PAGE - 1);
	EXPECT_EQ(w.limit, PAGE);
	EXPECT_EQ(check(Set().seg_size(PAGE), PAGE).code, CEN_R_OK);
}

TEST(Check, BoundaryBelowGranule)
{
	cen_why w = check(Set().boundary(0x7ff), PAGE);
	EXPECT_EQ(w.code, CEN_R_BOUNDARY_BELOW_GRANULE);
	EXPECT_EQ(w.field, CEN_F_SEG_BOUNDARY);
	EXPECT_EQ(check(Set().boundary(0xfff), PAGE).code, CEN_R_OK);
	EXPECT_EQ(check(Set().boundary(0xfff), 2 * PAGE).code, CEN_R_OK);
}

TEST(Check, CoherencyConflict)
{
	cen_constraints c = any();
	c.coherency = CEN_COH_CONFLICT;
	EXPECT_EQ(check(c, PAGE).code, CEN_R_COHERENCY_CONFLICT);
}

TEST(Check, AddressLimitTooLow)
{
	// 24-bit device: 16 MiB minus page 0.
	cen_constraints isa = Set().limit(0xffffff);
	EXPECT_EQ(check(isa, 16 * MiB - PAGE).code, CEN_R_OK);
	cen_why w = check(isa, 16 * MiB);
	EXPECT_EQ(w.code, CEN_R_ADDR_LIMIT_TOO_LOW);
	EXPECT_EQ(w.field, CEN_F_ADDR_LIMIT);
	EXPECT_EQ(w.limit, 0xffffffu);
	// 32-bit device: 4 GiB minus page 0.
	cen_constraints dma32 = Set().limit(0xffffffff);
	EXPECT_EQ(check(dma32, 4 * GiB - PAGE).code, CEN_R_OK);
	EXPECT_EQ(check(dma32, 4 * GiB - PAGE + 1).code,
		  CEN_R_ADDR_LIMIT_TOO_LOW);
	// A limit below the first page leaves nothing at all.
	EXPECT_EQ(check(Set().limit(PAGE), 1).code, CEN_R_ADDR_LIMIT_TOO_LOW);
	EXPECT_EQ(check(Set().limit(2 * PAGE - 1), 1).code, CEN_R_OK);
	EXPECT_EQ(check(Set().limit(0), 1).code, CEN_R_ADDR_LIMIT_TOO_LOW);
}

TEST(Check, AlignAboveLimit)
{
	cen_why w = check(Set().limit(0xffffff).align(16 * MiB), PAGE);
	EXPECT_EQ(w.code, CEN_R_ALIGN_ABOVE_LIMIT);
	EXPECT_EQ(w.field, CEN_F_ALIGN);
	EXPECT_EQ(w.value, 16 * MiB);
	EXPECT_EQ(check(Set().limit(0xffffff).align(8 * MiB), PAGE).code,
		  CEN_R_OK);
}

TEST(Check, AlignmentLargerThanTheBuffer)
{
	// A 1 MiB-aligned single page is fine: only starts are aligned.
	EXPECT_EQ(check(Set().align(MiB).segs(1), PAGE).code, CEN_R_OK);
	EXPECT_EQ(check(Set().align(MiB), 1).code, CEN_R_OK);
}

TEST(Check, AlignAboveSegment)
{
	// Pieces of 4 KiB cannot be 64 KiB multiples: one segment only.
	cen_constraints c = Set().align(64 * KiB).seg_size(PAGE);
	EXPECT_EQ(check(c, PAGE).code, CEN_R_OK);
	cen_why w = check(c, 2 * PAGE);
	EXPECT_EQ(w.code, CEN_R_ALIGN_ABOVE_SEGMENT);
	EXPECT_EQ(w.field, CEN_F_ALIGN);
	// Same with a boundary window smaller than the alignment.
	cen_constraints b = Set().align(64 * KiB).boundary(0x3fff);
	EXPECT_EQ(check(b, 16 * KiB).code, CEN_R_OK);
	EXPECT_EQ(check(b, 16 * KiB + 1).code, CEN_R_ALIGN_ABOVE_SEGMENT);
}

TEST(Check, TooFewSegments)
{
	cen_constraints c = Set().seg_size(64 * KiB).segs(4);
	EXPECT_EQ(check(c, 256 * KiB).code, CEN_R_OK);
	cen_why w = check(c, 256 * KiB + 1);
	EXPECT_EQ(w.code, CEN_R_TOO_FEW_SEGMENTS);
	EXPECT_EQ(w.field, CEN_F_MAX_SEGMENTS);
	EXPECT_EQ(w.value, 5u);
	EXPECT_EQ(w.limit, 4u);
}

TEST(Check, MaxSegSizeCountsAsAPowerOfTwo)
{
	// 65535 is 32 KiB: 64 KiB - 1 bytes need three segments, not two.
	cen_constraints c = Set().seg_size(65535).segs(2);
	EXPECT_EQ(check(c, 64 * KiB, 0).code, CEN_R_OK);
	EXPECT_EQ(check(c, 64 * KiB + 1, 0).code, CEN_R_TOO_FEW_SEGMENTS);
	cen_constraints one = Set().seg_size(65535).segs(1);
	EXPECT_EQ(check(one, 32 * KiB, 0).code, CEN_R_OK);
	EXPECT_EQ(check(one, 32 * KiB + 1, 0).code, CEN_R_TOO_FEW_SEGMENTS);
}

TEST(Check, BoundaryMaskSmallerThanSegmentSize)
{
	// 64 KiB segments but 16 KiB boundary windows: pieces of 16 KiB.
	cen_constraints c = Set().seg_size(64 * KiB).boundary(0x3fff).segs(4);
	EXPECT_EQ(check(c, 64 * KiB).code, CEN_R_OK);
	EXPECT_EQ(check(c, 64 * KiB + PAGE).code, CEN_R_TOO_FEW_SEGMENTS);
}

TEST(Check, ContiguousBufferMustFitOneBoundaryWindow)
{
	cen_constraints c = Set().segs(1).boundary(0xffff);
	EXPECT_EQ(check(c, 64 * KiB).code, CEN_R_OK);
	EXPECT_NE(check(c, 64 * KiB + 1).code, CEN_R_OK);
}

TEST(Check, SizesAroundAPage)
{
	cen_constraints c = Set().segs(1).seg_size(PAGE);
	EXPECT_EQ(check(c, 1).code, CEN_R_OK);
	EXPECT_EQ(check(c, PAGE - 1).code, CEN_R_OK);
	EXPECT_EQ(check(c, PAGE).code, CEN_R_OK);
	EXPECT_EQ(check(c, PAGE + 1).code, CEN_R_TOO_FEW_SEGMENTS);
}

TEST(Check, SizesNear4GiB)
{
	cen_constraints c = Set().limit(U32_MAX).seg_size(U32_MAX);
	// UINT_MAX counts as 2 GiB: two pieces for 4 GiB - 1 page at 4 KiB.
	EXPECT_EQ(check(Set(c).segs(2), 4 * GiB - PAGE).code, CEN_R_OK);
	EXPECT_EQ(check(Set(c).segs(1), 4 * GiB - PAGE).code,
		  CEN_R_TOO_FEW_SEGMENTS);
	EXPECT_EQ(check(Set(c).segs(1), 2 * GiB).code, CEN_R_OK);
	EXPECT_EQ(check(c, 4 * GiB - PAGE + 1).code, CEN_R_ADDR_LIMIT_TOO_LOW);
	EXPECT_EQ(check(any(), (1ULL << 32) + 1).code, CEN_R_OK);
}

TEST(Check, SizesNear2To64)
{
	EXPECT_EQ(check(any(), U64_MAX - PAGE + 1).code, CEN_R_OK);
	EXPECT_EQ(check(any(), U64_MAX - PAGE + 2).code,
		  CEN_R_SIZE_OVERFLOW);
	EXPECT_EQ(check(Set().segs(1), U64_MAX - PAGE + 1).code,
		  CEN_R_TOO_FEW_SEGMENTS);
	// Byte granules: everything but address 0.
	EXPECT_EQ(check(any(), U64_MAX, 0).code, CEN_R_OK);
}

TEST(Check, GranuleShiftZero)
{
	cen_constraints c = Set().limit(10).segs(2).seg_size(4);
	EXPECT_EQ(check(c, 8, 0).code, CEN_R_OK);
	EXPECT_EQ(check(c, 9, 0).code, CEN_R_TOO_FEW_SEGMENTS);
}
