// SPDX-License-Identifier: GPL-2.0 OR MIT
// Strict JSON reading: paths, duplicates, types.
#include <gtest/gtest.h>

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
	EXPECT_EQ(r.string("name", 10), "a");
	EXPECT_FALSE(r.find("other"));
	EXPECT_THROW((void)r.require("other"), InvalidInput);
	EXPECT_THROW((void)r.string("nmae", 0), InvalidInput);
	EXPECT_THROW(ObjectReader(parse_json("[1]"), "", {}), InvalidInput);
}
