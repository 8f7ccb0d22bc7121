// SPDX-License-Identifier: GPL-2.0 OR MIT
// libcenalloc: the library's types against the ABI structs.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "cenalloc/error.hpp"
#include "uapi_convert.hpp"

using namespace cenalloc;
using namespace cenalloc::detail;

namespace {

bool all_zero(const void *p, std::size_t n)
{
	const auto *b = static_cast<const unsigned char *>(p);
	for (std::size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

} // namespace

TEST(UapiConvert, InputSetsValidBitsOnlyForSetFields)
{
	Constraints c;
	c.max_segments(1).align(1 << 16);
	const cenalloc_constraints u = to_uapi(c);

	EXPECT_EQ(u.valid, CENALLOC_C_MAX_SEGMENTS | CENALLOC_C_ALIGN);
	EXPECT_EQ(u.max_segments, 1U);
	EXPECT_EQ(u.align, 1U << 16);
	// The kernel refuses input with outputs or reserved bytes set.
	EXPECT_TRUE(all_zero(u.src, sizeof(u.src)));
	EXPECT_TRUE(all_zero(u.origin, sizeof(u.origin)));
	EXPECT_EQ(u.reserved, 0U);
	EXPECT_EQ(u.addr_limit, 0U);
}

TEST(UapiConvert, ValuesThatDoNotFitAreRefusedNotTruncated)
{
	Constraints c;
	c.set(Field::max_segments, 1ULL << 32);
	try {
		(void)to_uapi(c);
		FAIL() << "a 33-bit segment count was accepted";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), std::errc::invalid_argument);
		EXPECT_NE(std::string(e.what()).find("max_segments"),
			  std::string::npos)
			<< e.what();
	}
	Constraints coh;
	coh.set(Field::coherency, 3);
	EXPECT_THROW((void)to_uapi(coh), Error);
	Constraints iommu;
	iommu.set(Field::iommu, 2);
	EXPECT_THROW((void)to_uapi(iommu), Error);
}

TEST(UapiConvert, OutputKeepsSourcesAndOrigins)
{
	cenalloc_constraints u{};
	u.valid = CENALLOC_C_ADDR_LIMIT | CENALLOC_C_MAX_SEGMENTS;
	u.addr_limit = 0xffffffff;
	u.max_segments = 1;
	u.max_seg_size = 12345; // not valid: must be ignored
	u.src[0] = CENALLOC_SRC_DEVICE;
	u.src[1] = CENALLOC_SRC_DEFAULT;
	u.origin[0] = 3;
	u.origin[1] = 0xffff;
	const Constraints c = from_uapi(u);

	EXPECT_EQ(c.get(Field::addr_limit), 0xffffffffU);
	EXPECT_EQ(c.source(Field::addr_limit), Source::device);
	EXPECT_EQ(c.origin(Field::addr_limit), 3);
	EXPECT_EQ(c.source(Field::max_segments), Source::default_policy);
	EXPECT_FALSE(c.origin(Field::max_segments));
	EXPECT_FALSE(c.has(Field::max_seg_size));
}

TEST(UapiConvert, RandomSetsSurviveTheRoundTrip)
{
	std::mt19937_64 rng(std::random_device{}());
	const auto seed = rng();
	rng.seed(seed);
	SCOPED_TRACE("seed " + std::to_string(seed));

	for (int i = 0; i < 1000; i++) {
		Constraints in;
		for (Field f : kAllFields) {
			if (rng() & 1)
				continue;
			std::uint64_t v = rng();
			if (f == Field::max_segments)
				v &= 0xffffffff;
			if (f == Field::iommu)
				v &= 1;
			if (f == Field::coherency)
				v %= 3;
			in.set(f, v);
		}
		cenalloc_constraints u = to_uapi(in);
		// What the kernel adds on the way back: sources.
		for (unsigned b = 0; b < CENALLOC_C_NR_FIELDS; b++)
			u.src[b] = CENALLOC_SRC_HINT;
		const Constraints out = from_uapi(u);
		for (Field f : kAllFields) {
			EXPECT_EQ(out.get(f), in.get(f)) << key_of(f);
			EXPECT_EQ(out.source(f),
				  in.has(f) ? Source::hint : Source::none);
		}
	}
}

TEST(UapiConvert, ProfileMatchFlagsFollowTheKeys)
{
	const cenalloc_profile p = to_uapi(
		DeviceMatch{.device = "vivid.0", .driver = {}, .bus = "platform"},
		"test");
	EXPECT_EQ(p.argsz, sizeof(cenalloc_profile));
	EXPECT_EQ(p.flags, CENALLOC_MATCH_NAME | CENALLOC_MATCH_BUS);
	EXPECT_STREQ(p.device, "vivid.0");
	EXPECT_STREQ(p.bus, "platform");
	EXPECT_STREQ(p.driver, "");
}

TEST(UapiConvert, ProfileMatchMustSaySomethingAndFit)
{
	EXPECT_THROW((void)to_uapi(DeviceMatch{}, "test"), Error);
	try {
		(void)to_uapi(DeviceMatch{.device = std::string(64, 'd')},
			      "load profile");
		FAIL() << "a 64-byte device name was accepted";
	} catch (const Error &e) {
		const std::string what = e.what();
		EXPECT_NE(what.find("load profile"), std::string::npos) << what;
		EXPECT_NE(what.find("longer than 63 bytes"), std::string::npos)
			<< what;
	}
	// 63 bytes fit with the NUL.
	EXPECT_NO_THROW((void)to_uapi(
		DeviceMatch{.device = std::string(63, 'd')}, "test"));
}

TEST(UapiConvert, InfoCarriesEveryOutput)
{
	cenalloc_info info{};
	info.id = 42;
	info.len = 8192;
	info.state = CENALLOC_STATE_BACKED;
	std::strcpy(info.name, "frame");
	std::strcpy(info.backend, "contig");
	// last_reason is the ABI's cut copy; the library reads the whole one.
	std::strcpy(info.last_reason, "contig, 1 r");
	std::strcpy(info.reason, "contig, 1 run(s)");
	std::strcpy(info.migration_reason, "moved");
	info.nr_segments = 1;
	info.nr_attach = 2;
	info.migrations = 1;
	info.migration_ns = 1500;
	info.last_error = -16;
	// A name that fills its field without a NUL stays within it.
	std::memset(info.name, 'n', sizeof(info.name));
	cenalloc_attach_info att{};
	std::strcpy(att.device, "vivid.0");
	att.flags = CENALLOC_ATT_MAPPED | CENALLOC_ATT_HINT;
	att.nr_segments = 1;
	const BufferInfo b = from_uapi(info, std::span(&att, 1));

	EXPECT_EQ(b.id, 42U);
	EXPECT_EQ(b.name, std::string(sizeof(info.name), 'n'));
	EXPECT_TRUE(b.backed);
	EXPECT_EQ(b.backend, "contig");
	EXPECT_EQ(b.member_count, 2U);
	ASSERT_EQ(b.members.size(), 1U);
	EXPECT_TRUE(b.members[0].mapped);
	EXPECT_TRUE(b.members[0].from_hint);
	EXPECT_FALSE(b.members[0].dynamic);
	EXPECT_EQ(b.last_error, -16);
	EXPECT_EQ(b.last_reason, "contig, 1 run(s)");
	EXPECT_EQ(b.last_migration_time.count(), 1500);
	EXPECT_EQ(b.migration_reason, "moved");
}
