// SPDX-License-Identifier: GPL-2.0 OR MIT
// Input quoted in messages: escaped for a terminal, cut to a length.
#include <gtest/gtest.h>

#include "printable.hpp"

using namespace cenalloc::platform;

TEST(Printable, ControlCharactersBecomeEscapes)
{
	EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1b[2Jb");
	EXPECT_EQ(printable("l1\nl2\tt\rr\x7f"), "l1\\nl2\\tt\\rr\\x7f");
	EXPECT_EQ(printable(std::string("nul\0!", 5)), "nul\\x00!");
	// C1 controls (U+009B is an 8-bit CSI) and bytes that are not UTF-8.
	EXPECT_EQ(printable("\xc2\x9b" "1m"), "\\u009b1m");
	EXPECT_EQ(printable("\x9b\xff\xc3"), "\\x9b\\xff\\xc3");
	// Overlong forms and surrogates are not UTF-8 either.
	EXPECT_EQ(printable("\xc0\x8a"), "\\xc0\\x8a");
	EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	// Printable UTF-8 is kept, and so are quotes outside in_quotes().
	EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \"\\"),
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \"\\");
}

TEST(Printable, LongTextIsCut)
{
	const std::string big(100'000'000, 'x');
	const std::string shown(kQuoteLimit, 'x');
	EXPECT_EQ(printable(big), shown + "...");
	EXPECT_EQ(in_quotes(big), "\"" + shown + "...\" (100000000 bytes)");
	EXPECT_EQ(printable(std::string(kQuoteLimit, 'y')),
		  std::string(kQuoteLimit, 'y'));
	// Never inside a UTF-8 character.
	EXPECT_EQ(printable("a\xc3\xa9z", 2), "a\xc3\xa9...");
	EXPECT_EQ(printable("abc", 0), "...");
}

TEST(Printable, InQuotesIsUnambiguous)
{
	EXPECT_EQ(in_quotes("4 \"KiB\" \\ \x1b"), R"("4 \"KiB\" \\ \x1b")");
	EXPECT_EQ(in_quotes(""), "\"\"");
}
