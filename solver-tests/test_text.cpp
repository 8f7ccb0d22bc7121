// Names and readable reasons.
#include "cen_test.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace cen_test;

TEST(Text, EveryEnumValueHasADistinctName)
{
	std::set<std::string> seen;
	for (int i = 0; i < CEN_SRC_COUNT; i++)
		EXPECT_TRUE(seen.insert(cen_source_name((cen_source)i)).second);
	seen.clear();
	for (int i = 0; i < CEN_F_COUNT; i++)
		EXPECT_TRUE(seen.insert(cen_field_name((cen_field)i)).second);
	seen.clear();
	for (int i = 0; i < CEN_COH_COUNT; i++)
		EXPECT_TRUE(
			seen.insert(cen_coherency_name((cen_coherency)i)).second);
	seen.clear();
	for (int i = 0; i < CEN_R_COUNT; i++) {
		const char *n = cen_reason_name((cen_reason)i);
		ASSERT_NE(n, nullptr) << i;
		EXPECT_GT(std::strlen(n), 1u) << i;
		EXPECT_TRUE(seen.insert(n).second) << i;
	}
}

TEST(Text, SomeNames)
{
	EXPECT_STREQ(cen_source_name(CEN_SRC_DRIVER), "driver");
	EXPECT_STREQ(cen_source_name(CEN_SRC_DEFAULT), "default policy");
	EXPECT_STREQ(cen_field_name(CEN_F_ADDR_LIMIT), "address limit");
	EXPECT_STREQ(cen_coherency_name(CEN_COH_UNCACHED), "uncached");
}

TEST(Text, OutOfRangeValuesHaveAName)
{
	// C++ only allows values within the enums' ranges (the fuzzer passes
	// arbitrary ones from C).
	EXPECT_STREQ(cen_source_name((cen_source)CEN_SRC_COUNT), "?");
	EXPECT_STREQ(cen_source_name((cen_source)7), "?");
	EXPECT_STREQ(cen_field_name((cen_field)CEN_F_COUNT), "?");
	EXPECT_STREQ(cen_coherency_name((cen_coherency)7), "?");
	EXPECT_STREQ(cen_reason_name((cen_reason)CEN_R_COUNT), "unknown reason");
	EXPECT_STREQ(cen_reason_name((cen_reason)63), "unknown reason");
}

static cen_why why(u32 code, u64 value, u64 limit, u32 member = 0)
{
	return {code, CEN_F_COUNT, member, value, limit};
}

TEST(Text, FormatsValuesLimitsAndMembers)
{
	EXPECT_EQ(why_text(why(CEN_R_TOO_FEW_SEGMENTS, 64, 1)),
		  "needs at least 64 segments but only 1 are allowed");
	// Large addresses and masks in hex; sizes in bytes always decimal.
	EXPECT_EQ(why_text(why(CEN_R_ADDR_LIMIT_TOO_LOW, 0x1000000, 0xffffff)),
		  "16777216 bytes do not fit below the address limit 0xffffff");
	EXPECT_EQ(why_text(why(CEN_R_SEG_TOO_LONG, 0x10001, 0x10000, 3)),
		  "segment 3 is 65537 bytes, limit 65536");
	EXPECT_EQ(why_text(why(CEN_R_OK, 0, 0)), "ok");
	EXPECT_EQ(why_text(why(CEN_R_COUNT + 5, 1, 2)), "unknown reason");
}

TEST(Text, EveryReasonFormats)
{
	for (u32 r = 0; r < CEN_R_COUNT; r++) {
		std::string s = why_text(why(r, U64_MAX, U64_MAX, U32_MAX));
		EXPECT_FALSE(s.empty()) << r;
		EXPECT_EQ(s.find('%'), std::string::npos) << r << ": " << s;
	}
}

TEST(Text, FormatTruncatesAndTerminates)
{
	cen_why w = why(CEN_R_SEG_OVERLAP, 0x123456789, 0xabcdef012, 7);
	std::string full = why_text(w);
	for (size_t len = 1; len <= full.size() + 2; len++) {
		std::vector<char> buf(len + 1, 'X');
		int n = cen_why_format(&w, buf.data(), len);
		ASSERT_GE(n, 0);
		ASSERT_LT((size_t)n, len) << len;
		EXPECT_EQ(buf[n], '\0') << len;
		EXPECT_EQ(buf[len], 'X') << "wrote past the buffer at " << len;
		EXPECT_EQ(std::string(buf.data()), full.substr(0, n)) << len;
	}
	EXPECT_EQ(cen_why_format(&w, nullptr, 0), 0);
}

// What users read names offsets: for every reason whose sentence names a
// physical address, the offsets form must not show it.
TEST(Text, OffsetsFormNeverShowsAnAddress)
{
	const u64 addr = 0x1234567000ULL, limit = 0xffffffffULL;
	for (u32 code = 0; code < CEN_R_COUNT; code++) {
		// Only an overlap's limit is an address too (the other
		// segment's); the others are masks, sizes or the limit.
		cen_why w = why(code, addr, code == CEN_R_SEG_OVERLAP ? addr
								    : limit, 2);
		if (!cen_why_is_address(&w))
			continue;
		w.value = 0x200000;	/* the caller's offset */
		char buf[256];
		cen_why_format_offsets(&w, buf, sizeof(buf));
		const std::string text = buf;
		EXPECT_EQ(text.find("1234567"), std::string::npos)
			<< code << ": " << text;
		cen_why_format(&w, buf, sizeof(buf));
		EXPECT_NE(std::string(buf), text) << code;
	}
	cen_why above = why(CEN_R_SEG_ABOVE_LIMIT, 0x200000, limit, 1);
	char buf[256];
	cen_why_format_offsets(&above, buf, sizeof(buf));
	EXPECT_STREQ(buf, "segment 1 (buffer offset 0x200000) ends above the "
			  "address limit 0xffffffff");
	// Reasons without an address read the same either way.
	cen_why count = why(CEN_R_SEG_COUNT, 9, 1);
	char plain[256];
	cen_why_format(&count, plain, sizeof(plain));
	cen_why_format_offsets(&count, buf, sizeof(buf));
	EXPECT_STREQ(buf, plain);
}
