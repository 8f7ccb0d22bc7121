// The constraint model: init, set/get, validate, overlay, from_caps, resolve.
#include "cen_test.hpp"

#include <gtest/gtest.h>

using namespace cen_test;

TEST(Model, InitAcceptsEverything)
{
	cen_constraints c = any();

	EXPECT_EQ(c.addr_limit, U64_MAX);
	EXPECT_EQ(c.max_seg_size, U64_MAX);
	EXPECT_EQ(c.seg_boundary_mask, U64_MAX);
	EXPECT_EQ(c.align, 1u);
	EXPECT_EQ(c.max_segments, U32_MAX);
	EXPECT_EQ(c.coherency, CEN_COH_ANY);
	for (int f = 0; f < CEN_F_COUNT; f++) {
		EXPECT_EQ(c.src[f], CEN_SRC_NONE) << f;
		EXPECT_EQ(c.origin[f], CEN_ORIGIN_NONE) << f;
	}
	cen_why why;
	EXPECT_EQ(cen_constraints_validate(&c, &why), 0);
	EXPECT_EQ(why.code, CEN_R_OK);
}

TEST(Model, InitIsTheMergeIdentity)
{
	cen_constraints c = Set().limit(0xffffffff).segs(4).seg_size(64 * KiB)
				    .boundary(0xffff).align(4096).iommu(false)
				    .coherency(CEN_COH_UNCACHED);
	cen_constraints acc = any();

	cen_merge(&acc, &c, 0);
	for (int f = 0; f < CEN_F_COUNT; f++) {
		auto field = static_cast<cen_field>(f);
		EXPECT_EQ(cen_constraints_get(&acc, field),
			  cen_constraints_get(&c, field)) << f;
		EXPECT_EQ(acc.src[f], c.src[f]) << f;
	}
}

TEST(Model, SetAndGetEveryField)
{
	const struct {
		cen_field f;
		u64 v;
	} cases[] = {
		{CEN_F_ADDR_LIMIT, 0xffffffffULL},
		{CEN_F_MAX_SEGMENTS, 17},
		{CEN_F_MAX_SEG_SIZE, 65536},
		{CEN_F_SEG_BOUNDARY, 0xffff},
		{CEN_F_ALIGN, 1 << 20},
		{CEN_F_IOMMU, 1},
		{CEN_F_COHERENCY, CEN_COH_CACHED},
	};
	for (auto t : cases) {
		for (int s = CEN_SRC_DEFAULT; s < CEN_SRC_COUNT; s++) {
			cen_constraints c = any();
			cen_constraints_set(&c, t.f, t.v,
					    static_cast<cen_source>(s));
			EXPECT_EQ(cen_constraints_get(&c, t.f), t.v) << t.f;
			EXPECT_EQ(c.src[t.f], s) << t.f;
			for (int o = 0; o < CEN_F_COUNT; o++) {
				if (o != t.f) {
					EXPECT_EQ(c.src[o], CEN_SRC_NONE);
				}
			}
		}
	}
}

TEST(Model, SetStoresIntoTheStructFields)
{
	cen_constraints c = Set().limit(1).segs(2).seg_size(3).boundary(4)
				    .align(5).iommu(true)
				    .coherency(CEN_COH_UNCACHED);
	EXPECT_EQ(c.addr_limit, 1u);
	EXPECT_EQ(c.max_segments, 2u);
	EXPECT_EQ(c.max_seg_size, 3u);
	EXPECT_EQ(c.seg_boundary_mask, 4u);
	EXPECT_EQ(c.align, 5u);
	EXPECT_EQ(c.iommu, 1u);
	EXPECT_EQ(c.coherency, CEN_COH_UNCACHED);
}

TEST(Model, SetMaxSegmentsSaturatesAt32Bits)
{
	cen_constraints c = Set().segs(1ULL << 40);
	EXPECT_EQ(c.max_segments, U32_MAX);
	EXPECT_EQ(cen_constraints_get(&c, CEN_F_MAX_SEGMENTS), U32_MAX);
}

TEST(Model, SetUnknownFieldChangesNothing)
{
	cen_constraints a = any(), b = any();
	cen_constraints_set(&b, CEN_F_COUNT, 7, CEN_SRC_DRIVER);
	EXPECT_TRUE(same(a, b));
	EXPECT_EQ(cen_constraints_get(&a, CEN_F_COUNT), 0u);
}

TEST(Model, ValidateAcceptsWellFormedSets)
{
	cen_why why;
	for (u64 m : U64s{0ULL, 1ULL, 0xfffULL, 0xffffULL, 0xffffffffULL, U64_MAX}) {
		cen_constraints c = Set().boundary(m);
		EXPECT_EQ(cen_constraints_validate(&c, &why), 0) << m;
	}
	for (int s = 0; s < 64; s++) {
		cen_constraints c = Set().align(1ULL << s);
		EXPECT_EQ(cen_constraints_validate(&c, &why), 0) << s;
	}
	for (int coh = CEN_COH_ANY; coh <= CEN_COH_UNCACHED; coh++) {
		cen_constraints c =
			Set().coherency(static_cast<cen_coherency>(coh));
		EXPECT_EQ(cen_constraints_validate(&c, &why), 0) << coh;
	}
	// Validation does not judge sizes: feasibility is cen_check's job.
	cen_constraints c = Set().limit(0).seg_size(0).segs(1);
	EXPECT_EQ(cen_constraints_validate(&c, nullptr), 0);
}

TEST(Model, ValidateRejectsBadAlign)
{
	for (u64 a : U64s{0ULL, 3ULL, 4097ULL, U64_MAX}) {
		cen_constraints c = Set().align(a);
		cen_why why;
		EXPECT_EQ(cen_constraints_validate(&c, &why), -EINVAL) << a;
		EXPECT_EQ(why.code, CEN_R_BAD_ALIGN) << a;
		EXPECT_EQ(why.field, CEN_F_ALIGN);
		EXPECT_EQ(why.value, a);
	}
}

TEST(Model, ValidateRejectsBadBoundary)
{
	for (u64 m : U64s{2ULL, 0x1000ULL, 0xfffeULL, 0x8000000000000000ULL}) {
		cen_constraints c = Set().boundary(m);
		cen_why why;
		EXPECT_EQ(cen_constraints_validate(&c, &why), -EINVAL) << m;
		EXPECT_EQ(why.code, CEN_R_BAD_BOUNDARY) << m;
		EXPECT_EQ(why.field, CEN_F_SEG_BOUNDARY);
		EXPECT_EQ(why.value, m);
	}
}

TEST(Model, ValidateRejectsZeroSegments)
{
	cen_constraints c = Set().segs(0);
	cen_why why;
	EXPECT_EQ(cen_constraints_validate(&c, &why), -EINVAL);
	EXPECT_EQ(why.code, CEN_R_ZERO_SEGMENTS);
	EXPECT_EQ(why.field, CEN_F_MAX_SEGMENTS);
}

TEST(Model, ValidateRejectsUnknownCoherency)
{
	// A conflict only comes out of a merge; a member never declares it.
	for (u64 v : U64s{(u64)CEN_COH_CONFLICT, (u64)CEN_COH_COUNT, 200ULL}) {
		cen_constraints c = any();
		c.coherency = static_cast<u8>(v);
		cen_why why;
		EXPECT_EQ(cen_constraints_validate(&c, &why), -EINVAL) << v;
		EXPECT_EQ(why.code, CEN_R_BAD_COHERENCY) << v;
		EXPECT_EQ(why.field, CEN_F_COHERENCY);
	}
	// cen_constraints_set() keeps unknown values unknown.
	cen_constraints c = Set().field(CEN_F_COHERENCY, 9);
	EXPECT_EQ(cen_constraints_validate(&c, nullptr), -EINVAL);
}

TEST(Model, ValidateWithoutWhyDoesNotCrash)
{
	cen_constraints c = Set().align(3);
	EXPECT_EQ(cen_constraints_validate(&c, nullptr), -EINVAL);
}

TEST(Model, OverlayAppliesOnlySetFields)
{
	cen_constraints dst = Set(CEN_SRC_DEVICE).limit(0xffffffff).segs(8);
	cen_constraints layer = Set(CEN_SRC_PROFILE).segs(1).align(64 * KiB);

	cen_constraints_overlay(&dst, &layer);
	EXPECT_EQ(dst.addr_limit, 0xffffffffu);
	EXPECT_EQ(dst.src[CEN_F_ADDR_LIMIT], CEN_SRC_DEVICE);
	EXPECT_EQ(dst.max_segments, 1u);
	EXPECT_EQ(dst.src[CEN_F_MAX_SEGMENTS], CEN_SRC_PROFILE);
	EXPECT_EQ(dst.align, 64 * KiB);
	EXPECT_EQ(dst.src[CEN_F_ALIGN], CEN_SRC_PROFILE);
	EXPECT_EQ(dst.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_NONE);
}

TEST(Model, OverlayMayLoosen)
{
	// A profile that knows better may relax what the device layer said.
	cen_constraints dst = Set(CEN_SRC_DEVICE).segs(1);
	cen_constraints layer = Set(CEN_SRC_PROFILE).segs(U32_MAX);
	cen_constraints_overlay(&dst, &layer);
	EXPECT_EQ(dst.max_segments, U32_MAX);
	EXPECT_EQ(dst.src[CEN_F_MAX_SEGMENTS], CEN_SRC_PROFILE);
}

TEST(Model, OverlayNullAndEmptyLayersChangeNothing)
{
	cen_constraints dst = Set().limit(0xfff).align(8);
	cen_constraints before = dst, empty = any();
	cen_constraints_overlay(&dst, nullptr);
	cen_constraints_overlay(&dst, &empty);
	EXPECT_TRUE(same(dst, before));
}

TEST(Model, FromCapsPlainDevice)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	caps.max_seg_size = 65536;
	caps.seg_boundary_mask = 0xffffffffULL;
	cen_constraints l;
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.addr_limit, 0xffffffffULL);
	EXPECT_EQ(l.src[CEN_F_ADDR_LIMIT], CEN_SRC_DEVICE);
	EXPECT_EQ(l.max_seg_size, 65536u);
	EXPECT_EQ(l.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_DEVICE);
	EXPECT_EQ(l.seg_boundary_mask, 0xffffffffULL);
	EXPECT_EQ(l.src[CEN_F_SEG_BOUNDARY], CEN_SRC_DEVICE);
	EXPECT_EQ(l.iommu, 0);
	// struct device does not say how many segments it takes.
	EXPECT_EQ(l.src[CEN_F_MAX_SEGMENTS], CEN_SRC_NONE);
	EXPECT_EQ(cen_constraints_validate(&l, nullptr), 0);
}

TEST(Model, FromCapsBusLimitWinsWhenLower)
{
	cen_dev_caps caps{};
	caps.dma_mask = U64_MAX;
	caps.bus_dma_limit = 0x3fffffffULL;
	cen_constraints l;
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.addr_limit, 0x3fffffffULL);

	caps.dma_mask = 0xffffffULL; // 24-bit ISA-style device
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.addr_limit, 0xffffffULL);
}

TEST(Model, FromCapsUnknownValuesStayUnconstrained)
{
	cen_dev_caps caps{};
	caps.dma_mask = (1ULL << 40) - 1;
	cen_constraints l;
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.addr_limit, (1ULL << 40) - 1);
	EXPECT_EQ(l.max_seg_size, U64_MAX);
	EXPECT_EQ(l.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_NONE);
	EXPECT_EQ(l.seg_boundary_mask, U64_MAX);
	EXPECT_EQ(l.src[CEN_F_SEG_BOUNDARY], CEN_SRC_NONE);
}

TEST(Model, FromCapsUnsetMaskIsTheKernelDefault32Bit)
{
	cen_dev_caps caps{};
	cen_constraints l;
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.addr_limit, 0xffffffffULL);
}

TEST(Model, FromCapsIommuMeansAnyPhysicalConstraint)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	caps.max_seg_size = 65536;
	caps.seg_boundary_mask = 0xffff;
	caps.iommu = true;
	cen_constraints l;
	cen_constraints_from_caps(&caps, &l);
	EXPECT_EQ(l.iommu, 1);
	EXPECT_EQ(l.src[CEN_F_IOMMU], CEN_SRC_DEVICE);
	EXPECT_EQ(l.addr_limit, U64_MAX);
	EXPECT_EQ(l.max_seg_size, U64_MAX);
	EXPECT_EQ(l.seg_boundary_mask, U64_MAX);
	EXPECT_EQ(l.max_segments, U32_MAX);
	EXPECT_EQ(l.align, 1u);
}

TEST(Model, ResolveDefaultPolicyMakesPlainDevicesContiguous)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);
	cen_resolve(&dev, nullptr, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, 1u);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);
	EXPECT_EQ(out.addr_limit, 0xffffffffULL);
	EXPECT_EQ(out.src[CEN_F_ADDR_LIMIT], CEN_SRC_DEVICE);
}

TEST(Model, ResolveRelaxFlagDropsTheDefault)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);
	cen_resolve(&dev, nullptr, nullptr, true, &out);
	EXPECT_EQ(out.max_segments, U32_MAX);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_NONE);
}

TEST(Model, ResolveNoDefaultBehindIommu)
{
	cen_dev_caps caps{};
	caps.iommu = true;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);
	cen_resolve(&dev, nullptr, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, U32_MAX);
	EXPECT_NE(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);
	EXPECT_EQ(out.iommu, 1);
}

TEST(Model, ResolveNoLayersAtAllIsContiguousByDefault)
{
	// Nothing known about the device: the safe default applies.
	cen_constraints out;
	cen_resolve(nullptr, nullptr, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, 1u);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);
	cen_resolve(nullptr, nullptr, nullptr, true, &out);
	EXPECT_EQ(out.max_segments, U32_MAX);
}

TEST(Model, ResolveDriverOrProfileSegmentCountOverridesDefault)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);

	cen_constraints prof = Set(CEN_SRC_PROFILE).segs(16);
	cen_resolve(&dev, &prof, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, 16u);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_PROFILE);

	cen_constraints drv = Set(CEN_SRC_DRIVER).segs(U32_MAX);
	cen_resolve(&dev, &prof, &drv, false, &out);
	EXPECT_EQ(out.max_segments, U32_MAX);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DRIVER);
}

TEST(Model, ResolvePriorityDriverOverProfileOverDevice)
{
	cen_constraints dev = Set(CEN_SRC_DEVICE).limit(0xffffffff).align(4096)
				      .seg_size(1 * MiB);
	cen_constraints prof = Set(CEN_SRC_PROFILE).limit(0xfffffff)
				       .align(64 * KiB);
	cen_constraints drv = Set(CEN_SRC_DRIVER).limit(0xffffff);
	cen_constraints out;

	cen_resolve(&dev, &prof, &drv, true, &out);
	EXPECT_EQ(out.addr_limit, 0xffffffu);
	EXPECT_EQ(out.src[CEN_F_ADDR_LIMIT], CEN_SRC_DRIVER);
	EXPECT_EQ(out.align, 64 * KiB);
	EXPECT_EQ(out.src[CEN_F_ALIGN], CEN_SRC_PROFILE);
	EXPECT_EQ(out.max_seg_size, 1 * MiB);
	EXPECT_EQ(out.src[CEN_F_MAX_SEG_SIZE], CEN_SRC_DEVICE);

	// Any layer may be missing.
	cen_resolve(nullptr, &prof, nullptr, true, &out);
	EXPECT_EQ(out.addr_limit, 0xfffffffu);
	EXPECT_EQ(out.max_seg_size, U64_MAX);
}

TEST(Model, ResolveDriverSaysIommuButNoSegments)
{
	// The driver declares the device is behind an IOMMU: no default.
	cen_constraints drv = Set(CEN_SRC_DRIVER).iommu(true);
	cen_constraints out;
	cen_resolve(nullptr, nullptr, &drv, false, &out);
	EXPECT_EQ(out.max_segments, U32_MAX);
	EXPECT_NE(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);

	// ...and a profile that says "no IOMMU" after all brings it back.
	cen_constraints dev = Set(CEN_SRC_DEVICE).iommu(true);
	cen_constraints prof = Set(CEN_SRC_PROFILE).iommu(false);
	cen_resolve(&dev, &prof, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, 1u);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);
}

TEST(Model, ResolveOutputIsValid)
{
	cen_dev_caps caps{};
	caps.dma_mask = 0xffffffffULL;
	caps.max_seg_size = 65536;
	caps.seg_boundary_mask = 0xffffffff;
	cen_constraints dev, out;
	cen_constraints_from_caps(&caps, &dev);
	cen_resolve(&dev, nullptr, nullptr, false, &out);
	EXPECT_EQ(cen_constraints_validate(&out, nullptr), 0);
	// Contiguous by default and 64 KiB segments: one 64 KiB buffer.
	EXPECT_EQ(cen_check(&out, 64 * KiB, PAGE_SHIFT, nullptr), 0);
	EXPECT_EQ(cen_check(&out, 64 * KiB + 1, PAGE_SHIFT, nullptr), -EINVAL);
}

TEST(Model, ResolveDefaultIgnoresSegmentCountsBelowProfile)
{
	// Only a driver or a profile may say a device without an IOMMU
	// scatters (header of cen_resolve); a device layer cannot.
	cen_constraints dev = Set(CEN_SRC_DEVICE).iommu(false).segs(8);
	cen_constraints out;
	cen_resolve(&dev, nullptr, nullptr, false, &out);
	EXPECT_EQ(out.max_segments, 1u);
	EXPECT_EQ(out.src[CEN_F_MAX_SEGMENTS], CEN_SRC_DEFAULT);
}
