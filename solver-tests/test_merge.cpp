// Merge: intersection with sources and origins; cen_merge_all.
#include "cen_test.hpp"

#include <gtest/gtest.h>

using namespace cen_test;

static cen_constraints merged(std::initializer_list<cen_constraints> sets)
{
	cen_constraints acc = any();
	u16 i = 0;
	for (const auto &c : sets)
		cen_merge(&acc, &c, i++);
	return acc;
}

TEST(Merge, TakesTheTightestOfEveryField)
{
	cen_constraints cam = Set(CEN_SRC_DRIVER).limit(0xffffffff).segs(1)
				      .align(4096);
	cen_constraints disp = Set(CEN_SRC_PROFILE).limit(0xfffffffff)
				       .seg_size(64 * KiB).boundary(0xffffff)
				       .align(64 * KiB)
				       .coherency(CEN_COH_UNCACHED);
	cen_constraints m = merged({cam, disp});

	EXPECT_EQ(m.addr_limit, 0xffffffffu);
	EXPECT_EQ(m.src[CEN_F_ADDR_LIMIT], CEN_SRC_DRIVER);
	EXPECT_EQ(m.origin[CEN_F_ADDR_LIMIT], 0);
	EXPECT_EQ(m.max_segments, 1u);
	EXPECT_EQ(m.origin[CEN_F_MAX_SEGMENTS], 0);
	EXPECT_EQ(m.max_seg_size, 64 * KiB);
	EXPECT_EQ(m.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_PROFILE);
	EXPECT_EQ(m.origin[CEN_F_MAX_SEG_SIZE], 1);
	EXPECT_EQ(m.seg_boundary_mask, 0xffffffu);
	EXPECT_EQ(m.origin[CEN_F_SEG_BOUNDARY], 1);
	EXPECT_EQ(m.align, 64 * KiB); // larger alignment is tighter
	EXPECT_EQ(m.src[CEN_F_ALIGN], CEN_SRC_PROFILE);
	EXPECT_EQ(m.origin[CEN_F_ALIGN], 1);
	EXPECT_EQ(m.coherency, CEN_COH_UNCACHED);
	EXPECT_EQ(m.origin[CEN_F_COHERENCY], 1);
}

TEST(Merge, UnsetFieldsKeepNoOrigin)
{
	cen_constraints a = Set().limit(0xffff);
	cen_constraints m = merged({a, any()});
	EXPECT_EQ(m.origin[CEN_F_ADDR_LIMIT], 0);
	EXPECT_EQ(m.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_NONE);
	EXPECT_EQ(m.origin[CEN_F_MAX_SEG_SIZE], CEN_ORIGIN_NONE);
}

TEST(Merge, TiesKeepTheLowerMemberWhateverTheOrder)
{
	cen_constraints a = Set(CEN_SRC_PROFILE).limit(0xffffffff);
	cen_constraints b = Set(CEN_SRC_DRIVER).limit(0xffffffff);

	cen_constraints ab = any(), ba = any();
	cen_merge(&ab, &a, 0);
	cen_merge(&ab, &b, 1);
	cen_merge(&ba, &b, 1);
	cen_merge(&ba, &a, 0);
	EXPECT_EQ(ab.origin[CEN_F_ADDR_LIMIT], 0);
	EXPECT_EQ(ab.src[CEN_F_ADDR_LIMIT], CEN_SRC_PROFILE);
	EXPECT_TRUE(same(ab, ba));
}

TEST(Merge, EqualValueFromASetFieldBeatsAnUnsetOne)
{
	// U64_MAX declared by a driver and U64_MAX by nobody: the declared
	// one explains the value.
	cen_constraints a = any();
	cen_constraints b = Set().limit(U64_MAX);
	cen_constraints m = merged({a, b});
	EXPECT_EQ(m.src[CEN_F_ADDR_LIMIT], CEN_SRC_DRIVER);
	EXPECT_EQ(m.origin[CEN_F_ADDR_LIMIT], 1);
}

TEST(Merge, IommuOnlyWhenAllMembersAre)
{
	cen_constraints gpu = Set(CEN_SRC_DEVICE).iommu(true);
	cen_constraints cam = Set(CEN_SRC_DEVICE).iommu(false);
	EXPECT_EQ(merged({gpu, gpu}).iommu, 1);
	cen_constraints m = merged({gpu, cam});
	EXPECT_EQ(m.iommu, 0);
	EXPECT_EQ(m.origin[CEN_F_IOMMU], 1);
}

TEST(Merge, CoherencyMeet)
{
	auto coh = [](cen_coherency a, cen_coherency b) {
		return merged({Set().coherency(a), Set().coherency(b)})
			.coherency;
	};
	EXPECT_EQ(coh(CEN_COH_ANY, CEN_COH_ANY), CEN_COH_ANY);
	EXPECT_EQ(coh(CEN_COH_ANY, CEN_COH_CACHED), CEN_COH_CACHED);
	EXPECT_EQ(coh(CEN_COH_UNCACHED, CEN_COH_ANY), CEN_COH_UNCACHED);
	EXPECT_EQ(coh(CEN_COH_CACHED, CEN_COH_CACHED), CEN_COH_CACHED);
	EXPECT_EQ(coh(CEN_COH_CACHED, CEN_COH_UNCACHED), CEN_COH_CONFLICT);
	EXPECT_EQ(coh(CEN_COH_UNCACHED, CEN_COH_CACHED), CEN_COH_CONFLICT);
}

TEST(Merge, ConflictIsAbsorbingAndHasNoSingleOrigin)
{
	cen_constraints m = merged({Set().coherency(CEN_COH_CACHED),
				    Set().coherency(CEN_COH_UNCACHED),
				    Set().coherency(CEN_COH_CACHED), any()});
	EXPECT_EQ(m.coherency, CEN_COH_CONFLICT);
	EXPECT_EQ(m.origin[CEN_F_COHERENCY], CEN_ORIGIN_NONE);
	cen_why why;
	EXPECT_EQ(cen_check(&m, PAGE, PAGE_SHIFT, &why), -EINVAL);
	EXPECT_EQ(why.code, CEN_R_COHERENCY_CONFLICT);
}

TEST(Merge, MergingAMergedSetKeepsItsOrigins)
{
	cen_constraints a = Set().limit(0xffff);
	cen_constraints b = Set().align(256);
	cen_constraints inner = merged({a, b});
	cen_constraints outer = any();
	cen_merge(&outer, &inner, 7);
	EXPECT_EQ(outer.origin[CEN_F_ADDR_LIMIT], 0);
	EXPECT_EQ(outer.origin[CEN_F_ALIGN], 1);
}

TEST(Merge, AllValidatesEveryMember)
{
	cen_constraints members[3] = {Set().limit(0xffffffff), Set().align(3),
				      Set()};
	cen_constraints out;
	cen_why why;
	EXPECT_EQ(cen_merge_all(members, 3, MiB, PAGE_SHIFT, &out, &why),
		  -EINVAL);
	EXPECT_EQ(why.code, CEN_R_BAD_ALIGN);
	EXPECT_EQ(why.member, 1u);
}

TEST(Merge, AllChecksTheResult)
{
	cen_constraints members[2] = {Set().segs(1).seg_size(64 * KiB),
				      Set().limit(0xffffffff)};
	cen_constraints out;
	cen_why why;
	EXPECT_EQ(cen_merge_all(members, 2, 64 * KiB, PAGE_SHIFT, &out, &why),
		  0);
	EXPECT_EQ(why.code, CEN_R_OK);
	EXPECT_EQ(out.max_segments, 1u);
	EXPECT_EQ(out.addr_limit, 0xffffffffu);

	EXPECT_EQ(cen_merge_all(members, 2, 64 * KiB + 1, PAGE_SHIFT, &out,
				&why),
		  -EINVAL);
	EXPECT_EQ(why.code, CEN_R_TOO_FEW_SEGMENTS);
	EXPECT_EQ(why.member, 0u);
}

TEST(Merge, AllNamesBothSidesOfACoherencyConflict)
{
	cen_constraints members[4] = {Set(), Set().coherency(CEN_COH_UNCACHED),
				      Set(), Set().coherency(CEN_COH_CACHED)};
	cen_constraints out;
	cen_why why;
	EXPECT_EQ(cen_merge_all(members, 4, PAGE, PAGE_SHIFT, &out, &why),
		  -EINVAL);
	EXPECT_EQ(why.code, CEN_R_COHERENCY_CONFLICT);
	EXPECT_EQ(why.value, 3u); // first member that needs cached
	EXPECT_EQ(why.limit, 1u); // first member that needs uncached
}

TEST(Merge, AllOfNothingIsTheIdentity)
{
	cen_constraints out;
	cen_why why;
	EXPECT_EQ(cen_merge_all(nullptr, 0, PAGE, PAGE_SHIFT, &out, &why), 0);
	cen_constraints id = any();
	EXPECT_TRUE(same(out, id));
}

TEST(Merge, AllEqualsPairwiseMerge)
{
	cen_constraints members[3] = {Set().limit(0xffffffff).segs(4),
				      Set().seg_size(MiB).align(8192),
				      Set().boundary(0xfffff).segs(64)};
	cen_constraints out;
	ASSERT_EQ(cen_merge_all(members, 3, MiB, PAGE_SHIFT, &out, nullptr), 0);
	cen_constraints m = merged({members[0], members[1], members[2]});
	EXPECT_TRUE(same(out, m));
}
