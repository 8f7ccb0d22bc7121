// SPDX-License-Identifier: GPL-2.0 OR MIT
// libcenalloc: Constraints, names, formatting.
#include <gtest/gtest.h>

#include <set>

#include "cen_constraints_c.hpp"
#include "cenalloc/constraints.hpp"

using namespace cenalloc;

TEST(Constraints, StartEmptyAndSayAny)
{
	const Constraints c;

	EXPECT_TRUE(c.empty());
	for (Field f : kAllFields) {
		EXPECT_FALSE(c.has(f));
		EXPECT_EQ(c.source(f), Source::none);
		EXPECT_FALSE(c.origin(f));
		EXPECT_EQ(c.value_text(f), "any");
	}
	EXPECT_FALSE(c.requires_contiguous());
}

TEST(Constraints, SettersSetOnlyTheirField)
{
	Constraints c;
	c.addr_limit(0xffffffff).contiguous();

	EXPECT_EQ(c.get(Field::addr_limit), 0xffffffffU);
	EXPECT_EQ(c.get(Field::max_segments), 1U);
	EXPECT_TRUE(c.requires_contiguous());
	for (Field f : {Field::max_seg_size, Field::seg_boundary, Field::align,
			Field::iommu, Field::coherency})
		EXPECT_FALSE(c.has(f)) << key_of(f);
	c.unset(Field::max_segments);
	EXPECT_FALSE(c.requires_contiguous());
	EXPECT_FALSE(c.empty());
	c.unset(Field::addr_limit);
	EXPECT_TRUE(c.empty());
}

TEST(Constraints, EqualityCoversSourcesAndOrigins)
{
	Constraints a, b;
	a.set(Field::align, 4096, Source::profile, 2);
	b.set(Field::align, 4096, Source::profile, 2);
	EXPECT_EQ(a, b);
	b.set(Field::align, 4096, Source::driver, 2);
	EXPECT_NE(a, b);
	b.set(Field::align, 4096, Source::profile, 1);
	EXPECT_NE(a, b);
}

TEST(Constraints, NamesAreTheKernels)
{
	// The library speaks the kernel's words: every name comes from the
	// module's own text tables.
	for (Field f : kAllFields)
		EXPECT_EQ(to_string(f),
			  cen_field_name(static_cast<cen_field>(f)));
	for (int s = 0; s < CEN_SRC_COUNT; s++)
		EXPECT_EQ(to_string(static_cast<Source>(s)),
			  cen_source_name(static_cast<cen_source>(s)));
	EXPECT_EQ(to_string(Coherency::uncached),
		  cen_coherency_name(CEN_COH_UNCACHED));
}

TEST(Constraints, KeysRoundTripAndAreDistinct)
{
	std::set<std::string_view> keys;

	for (Field f : kAllFields) {
		EXPECT_TRUE(keys.insert(key_of(f)).second);
		EXPECT_EQ(field_from_key(key_of(f)), f);
	}
	EXPECT_FALSE(field_from_key("max_segment"));
	EXPECT_FALSE(field_from_key(""));
}

TEST(Constraints, ValuesReadAsPeopleWriteThem)
{
	Constraints c;
	c.addr_limit(kNoLimit)
		.max_segments(kAnySegments)
		.max_seg_size(64 * 1024)
		.seg_boundary_mask(0xffffffff)
		.align(1)
		.iommu(true)
		.coherency(Coherency::cached);
	EXPECT_EQ(c.value_text(Field::addr_limit), "any");
	EXPECT_EQ(c.value_text(Field::max_segments), "any");
	EXPECT_EQ(c.value_text(Field::max_seg_size), "64 KiB");
	EXPECT_EQ(c.value_text(Field::seg_boundary), "0xffffffff");
	EXPECT_EQ(c.value_text(Field::align), "none");
	EXPECT_EQ(c.value_text(Field::iommu), "yes");
	EXPECT_EQ(c.value_text(Field::coherency), "cached");
	c.max_seg_size(0xffffffff).max_segments(3).align(1 << 20).iommu(false);
	EXPECT_EQ(c.value_text(Field::max_seg_size), "0xffffffff");
	EXPECT_EQ(c.value_text(Field::max_segments), "3");
	EXPECT_EQ(c.value_text(Field::align), "1 MiB");
	EXPECT_EQ(c.value_text(Field::iommu), "no");
}

TEST(Format, BytesAreExact)
{
	EXPECT_EQ(format_bytes(0), "0 bytes");
	EXPECT_EQ(format_bytes(1), "1 byte");
	EXPECT_EQ(format_bytes(1023), "1023 bytes");
	EXPECT_EQ(format_bytes(1024), "1 KiB");
	EXPECT_EQ(format_bytes(1025), "1025 bytes");
	EXPECT_EQ(format_bytes(4149248), "4052 KiB");
	EXPECT_EQ(format_bytes(32ULL << 20), "32 MiB");
	EXPECT_EQ(format_bytes(5ULL << 30), "5 GiB");
	EXPECT_EQ(format_bytes(1ULL << 50), "1024 TiB");
}

TEST(Format, AddressesInHex)
{
	EXPECT_EQ(format_address(0), "0x0");
	EXPECT_EQ(format_address(0x60000000), "0x60000000");
	EXPECT_EQ(format_address(0xffffffff), "0xffffffff");
	EXPECT_EQ(format_address(kNoLimit - 1), "0xfffffffffffffffe");
	EXPECT_EQ(format_address(kNoLimit), "any");
}
