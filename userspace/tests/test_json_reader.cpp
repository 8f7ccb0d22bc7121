// SPDX-License-Identifier: GPL-2.0 OR MIT
// Strict JSON reading: paths, duplicates, types.
#include <gtest/gtest.h>

#include <chrono>

#include "json_reader.hpp"

using namespace cenalloc::platform;

namespace {

std::string failure(const std::string &text)
{
	try {
		(void)parse_json(text);
	} catch (const InvalidInput &e) {
		return e.what();
	}
	ADD_FAILURE() << "accepted: " << text;
	return {};
}

} // namespace

TEST(JsonReader, DuplicateKeysAreNamedByTheirPath)
{
	EXPECT_EQ(failure(R"({"a": 1, "a": 2})"),
		  "a: the key appears twice in this object");
	EXPECT_EQ(failure(R"({"x": [{"b": 1}, [3, 4], {"b": 1, "b": 2}]})"),
		  "x[2].b: the key appears twice in this object");
	EXPECT_EQ(failure(R"({"x": [[], [{"c": {"d": 0, "d": 1}}]]})"),
		  "x[1][0].c.d: the key appears twice in this object");
	// The same key in two objects is fine.
	EXPECT_NO_THROW((void)parse_json(R"({"x": [{"b": 1}, {"b": 2}]})"));
}

TEST(JsonReader, SyntaxErrorsSayWhere)
{
	const std::string e = failure("{\n  \"a\": 1,\n}");
	EXPECT_EQ(e.rfind("line 3, column 1: invalid JSON", 0), 0U) << e;
}

TEST(JsonReader, KeysKeepTheirOrder)
{
	const Json j = parse_json(R"({"z": 1, "a": 2, "m": 3})");
	std::string order;
	for (const auto &[k, v] : j.items())
		order += k;
	EXPECT_EQ(order, "zam");
}

TEST(JsonReader, Paths)
{
	EXPECT_EQ(child_path("", "devices"), "devices");
	EXPECT_EQ(child_path("devices", 2), "devices[2]");
	EXPECT_EQ(child_path("devices[2]", "max_seg_size"),
		  "devices[2].max_seg_size");
}

TEST(JsonReader, NumbersInEveryForm)
{
	const Json j = parse_json(
		R"({"a": 4096, "b": "0x1000", "c": "4 KiB", "d": "any", "e": -4, "f": 1.5, "g": true})");
	EXPECT_EQ(read_number(j["a"], "a", 0, ~0ULL), 4096U);
	EXPECT_EQ(read_number(j["b"], "b", 0, ~0ULL), 4096U);
	EXPECT_EQ(read_number(j["c"], "c", 0, ~0ULL), 4096U);
	EXPECT_EQ(read_number(j["d"], "d", 0, 10, AnyValue::allowed, 10), 10U);
	EXPECT_THROW((void)read_number(j["d"], "d", 0, 10), InvalidInput);
	EXPECT_THROW((void)read_number(j["e"], "e", 0, 10), InvalidInput);
	EXPECT_THROW((void)read_number(j["f"], "f", 0, 10), InvalidInput);
	EXPECT_THROW((void)read_number(j["g"], "g", 0, 10), InvalidInput);
	try {
		(void)read_number(j["a"], "x.a", 0, 4095);
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(e.where(), "x.a");
		EXPECT_EQ(e.problem(), "must be at most 4095 (it is 4096)");
	}
}

TEST(JsonReader, ObjectsRefuseUnknownFieldsAndListTheKnownOnes)
{
	const Json j = parse_json(R"({"name": "a", "nmae": "b"})");
	try {
		const ObjectReader r(j, "devices[0]", {"name", "bus"});
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(std::string(e.what()),
			  "devices[0].nmae: unknown field (known here: name, "
			  "bus)");
	}
	const ObjectReader r(j, "", {"name", "nmae", "other"});
	EXPECT_EQ(r.name("name", 10), "a");
	EXPECT_FALSE(r.find("other"));
	EXPECT_THROW((void)r.require("other"), InvalidInput);
	EXPECT_THROW((void)r.name("nmae", 0), InvalidInput);
	EXPECT_THROW(ObjectReader(parse_json("[1]"), "", {}), InvalidInput);
}

// Reviewer: 40,000 keys in one object took 3 s to parse (nlohmann's
// ordered_map searches its keys on every insert: n^2/2 comparisons).
// 160,000 keys, 2.4 MB: a quadratic parser needs about a minute here, a
// linear one well under a second even in a sanitizer build.  The bound is
// generous so that a loaded machine does not fail it.
TEST(JsonReader, ManyKeysInOneObjectParseInLinearTime)
{
	constexpr int kKeys = 160'000;
	std::string text = "{";
	for (int i = 0; i < kKeys; i++)
		text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
	text += "}";

	const auto start = std::chrono::steady_clock::now();
	const Json j = parse_json(text);
	const auto took = std::chrono::steady_clock::now() - start;

	EXPECT_EQ(j.size(), static_cast<std::size_t>(kKeys));
	EXPECT_EQ(j.begin().key(), "k0");
	EXPECT_EQ(j.back(), 0);
	EXPECT_LT(took, std::chrono::seconds(5));
	// Duplicates are still found among them, at the end too.
	text.back() = ',';
	EXPECT_EQ(failure(text + "\"k77\":1}"),
		  "k77: the key appears twice in this object");
}

TEST(JsonReader, NestingIsBounded)
{
	const std::string deep(kMaxJsonDepth + 1, '[');
	const std::string e = failure(deep);
	EXPECT_NE(e.find("nested more than"), std::string::npos) << e;
	const std::string ok =
		std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
	EXPECT_NO_THROW((void)parse_json(ok));
}

// Reviewer: control characters in keys and values reached the terminal
// raw through error messages.
TEST(JsonReader, ControlCharactersInKeysAreEscapedInMessages)
{
	const std::string dup = failure("{\"a\\u001b[2Jb\": 1, \"a\\u001b[2Jb\": 2}");
	EXPECT_EQ(dup, "a\\x1b[2Jb: the key appears twice in this object");

	const Json j = parse_json("{\"x\\ny\\u0007\": 1}");
	try {
		const ObjectReader r(j, "top", {"a"});
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(e.where(), "top.x\\ny\\x07");
	}
	// A C1 control (U+009B is an 8-bit CSI) too.
	EXPECT_EQ(failure("{\"\\u009b\": 1, \"\\u009b\": 2}"),
		  "\\u009b: the key appears twice in this object");
}

TEST(JsonReader, ControlCharactersInValuesAreEscapedInMessages)
{
	const Json j = parse_json(R"({"s": "\u001b]0;owned\u0007 and \"q\"", "n": "4\u001bK"})");
	try {
		(void)read_string(j["s"], "s", 4);
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(e.problem(),
			  R"("\x1b]0;owned\x07 and \"q\"" is longer than 4 bytes)");
	}
	try {
		(void)read_number(j["n"], "n", 0, 10);
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(e.problem().find('\x1b'), std::string::npos);
		EXPECT_NE(e.problem().find(R"("4\x1bK")"), std::string::npos)
			<< e.problem();
	}
	// Names are printed as they are later: no control characters.
	EXPECT_THROW((void)read_name(j["n"], "n", 31), InvalidInput);
	// The token a syntax error quotes is input too.
	const std::string e = failure("{\"a\": tru\x1b[2J}");
	EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
}

// Reviewer: a 100 MB value was echoed whole in the message.
TEST(JsonReader, LongValuesAreCutInMessages)
{
	const std::string big(1'000'000, 'x');
	const Json j = {{"name", big}, {"size", big + "K"}};
	for (const char *field : {"name", "size"}) {
		SCOPED_TRACE(field);
		try {
			if (std::string(field) == "name")
				(void)read_string(j[field], field, 31);
			else
				(void)read_number(j[field], field, 0, 10);
			FAIL();
		} catch (const InvalidInput &e) {
			EXPECT_LT(std::string(e.what()).size(), 300U) << e.what();
			EXPECT_NE(std::string(e.what()).find("xxx...\""),
				  std::string::npos)
				<< e.what();
		}
	}
	// Keys in paths too.
	const std::string key(100'000, 'k');
	const std::string e = failure("{\"" + key + "\": 1, \"" + key + "\": 2}");
	EXPECT_LT(e.size(), 200U);
	EXPECT_NE(e.find("kkk...: the key appears twice"), std::string::npos) << e;
}

// Reviewer: 1e6 was "not a whole number".  A literal with an exponent or
// a fraction that is a whole number is one; its digits decide, not a
// double (exact only up to 2^53).
TEST(JsonReader, WholeNumbersWithExponentsAreWholeNumbers)
{
	const Json j = parse_json(R"([1e6, 2.5e3, 4096.0, 1E+2, 0.0e5, 40.96e2,
		18446744073709551615e0, 1844674407370955161.5e1, 9007199254740993.0,
		-1e3])");
	const std::vector<std::uint64_t> want = {
		1'000'000, 2'500, 4'096, 100, 0, 4'096, ~0ULL, ~0ULL,
		9'007'199'254'740'993ULL};
	for (std::size_t i = 0; i < want.size(); i++)
		EXPECT_EQ(read_number(j[i], "n", 0, ~0ULL), want[i]) << i;
	try {
		(void)read_number(j[want.size()], "n", 0, ~0ULL);
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(e.problem(), "must not be negative (it is -1000)");
	}
}

TEST(JsonReader, FractionsAndFloatsBeyond64BitsAreRefusedPrecisely)
{
	const struct {
		const char *text;
		const char *problem;
	} cases[] = {
		{"1.5", "1.5 is not a whole number"},
		{"1e-3", "0.001 is not a whole number"},
		{"2.50001e3", "2500.01 is not a whole number"},
		{"18446744073709551616", "1.8446744073709552e+19 does not fit in 64 bits"},
		{"1.8446744073709551616e19", "1.8446744073709552e+19 does not fit in 64 bits"},
		{"1e400", ""},	// not even a double: refused by the parser
		{"-1e30", "must not be negative (it is -1e+30)"},
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.text);
		if (!*c.problem) {
			EXPECT_EQ(failure(c.text),
				  "line 1, column 6: invalid JSON: number "
				  "overflow parsing '1e400'");
			continue;
		}
		try {
			(void)read_number(parse_json(c.text), "n", 0, ~0ULL);
			FAIL();
		} catch (const InvalidInput &e) {
			EXPECT_EQ(e.problem(), c.problem);
		}
	}
	// In range is still checked after.
	EXPECT_THROW((void)read_number(parse_json("1e6"), "n", 0, 1000),
		     InvalidInput);
}
