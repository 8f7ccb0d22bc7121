// SPDX-License-Identifier: GPL-2.0 OR MIT
// Numbers as people write them.
#include <gtest/gtest.h>

#include "quantity.hpp"

using cenalloc::platform::parse_quantity;

namespace {

std::uint64_t value(const char *text)
{
	std::string error;
	const auto v = parse_quantity(text, &error);
	EXPECT_TRUE(v) << text << ": " << error;
	return v.value_or(0);
}

std::string error_of(const char *text)
{
	std::string error;
	const auto v = parse_quantity(text, &error);
	EXPECT_FALSE(v) << text << " gave " << v.value_or(0);
	return error;
}

} // namespace

TEST(Quantity, DecimalHexAndUnits)
{
	EXPECT_EQ(value("4096"), 4096U);
	EXPECT_EQ(value(" 4096 "), 4096U);
	EXPECT_EQ(value("0x1000"), 4096U);
	EXPECT_EQ(value("0XFFFFFFFF"), 0xffffffffU);
	EXPECT_EQ(value("0xffffffffffffffff"), ~0ULL);
	EXPECT_EQ(value("4K"), 4096U);
	EXPECT_EQ(value("4 KiB"), 4096U);
	EXPECT_EQ(value("16 MiB"), 16ULL << 20);
	EXPECT_EQ(value("16M"), 16ULL << 20);
	EXPECT_EQ(value("1GiB"), 1ULL << 30);
	EXPECT_EQ(value("2 TiB"), 2ULL << 40);
	EXPECT_EQ(value("0"), 0U);
}

TEST(Quantity, ErrorsSayWhatIsWrong)
{
	EXPECT_NE(error_of("").find("empty"), std::string::npos);
	EXPECT_NE(error_of("four").find("is not a number"), std::string::npos);
	EXPECT_NE(error_of("-1").find("is not a number"), std::string::npos);
	EXPECT_NE(error_of("16 MB").find("unknown unit \"MB\""),
		  std::string::npos);
	EXPECT_NE(error_of("4.5 MiB").find("not a whole number"),
		  std::string::npos);
	EXPECT_NE(error_of("0x10 MiB").find("not a hexadecimal number"),
		  std::string::npos);
	EXPECT_NE(error_of("0xg").find("is not a number"), std::string::npos);
	EXPECT_NE(error_of("18446744073709551616").find("does not fit in 64 bits"),
		  std::string::npos);
	EXPECT_NE(error_of("16777216 TiB").find("does not fit in 64 bits"),
		  std::string::npos);
}

TEST(Quantity, UnitsScaleEveryValueThatFits)
{
	// The overflow check is exact: the largest value that fits a unit
	// is accepted and the next one is refused.
	for (const auto &[unit, shift] :
	     {std::pair{"K", 10}, {"MiB", 20}, {"G", 30}, {"TiB", 40}}) {
		const std::uint64_t max = ~0ULL >> shift;
		const std::string fits = std::to_string(max) + " " + unit;
		const std::string over = std::to_string(max + 1) + " " + unit;
		EXPECT_EQ(value(fits.c_str()), max << shift);
		EXPECT_NE(error_of(over.c_str()).find("does not fit"),
			  std::string::npos);
	}
}
