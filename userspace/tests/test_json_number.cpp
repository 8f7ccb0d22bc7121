// SPDX-License-Identifier: GPL-2.0 OR MIT
// JSON number literals read exactly: whole or not, and which.
#include <gtest/gtest.h>

#include "json_number.hpp"

using namespace cenalloc::platform;

namespace {

std::optional<std::uint64_t> whole(std::string_view s)
{
	const auto w = whole_number(s);
	if (!w || w->negative)
		return std::nullopt;
	return w->magnitude;
}

} // namespace

TEST(JsonNumber, WholeNumbersInEveryForm)
{
	EXPECT_EQ(whole("0"), 0U);
	EXPECT_EQ(whole("4096"), 4096U);
	EXPECT_EQ(whole("1e6"), 1'000'000U);
	EXPECT_EQ(whole("1E+6"), 1'000'000U);
	EXPECT_EQ(whole("2.5e3"), 2'500U);
	EXPECT_EQ(whole("4096.000"), 4096U);
	EXPECT_EQ(whole("0.0e99999999999999999999"), 0U);
	EXPECT_EQ(whole("12500e-2"), 125U);
	// Beyond 2^53, where a double would round.
	EXPECT_EQ(whole("9007199254740993e0"), 9'007'199'254'740'993ULL);
	EXPECT_EQ(whole("18446744073709551615.0"), ~0ULL);
	EXPECT_EQ(whole("1.8446744073709551615e19"), ~0ULL);
	const auto neg = whole_number("-2e3");
	ASSERT_TRUE(neg);
	EXPECT_TRUE(neg->negative);
	EXPECT_EQ(neg->magnitude, 2000U);
}

TEST(JsonNumber, FractionsAndWhatDoesNotFitAreNot)
{
	for (const char *s : {"1.5", "1e-3", "0.1", "2.50001e3", "1e-99999999999",
			      "18446744073709551616", "1.8446744073709551616e19",
			      "1e20", "1e99999999999999999999", "123456789012345678901e-1"})
		EXPECT_EQ(whole_number(s).has_value(), false) << s;
	for (const char *s : {"", "-", "1.", ".5", "1e", "1e+", "0x10", "1f", "--1"})
		EXPECT_EQ(whole_number(s).has_value(), false) << s;
}
