// SPDX-License-Identifier: GPL-2.0 OR MIT
// The corpus of malformed documents (corpus/*.json): each is refused,
// with a message that contains the fragment in its .expect file.  And
// corpus/valid/*.json, documents in every form the format allows: each
// is accepted (tests/schema checks both against the JSON Schema).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "document.hpp"

using namespace cenalloc::platform;

namespace {

struct Case {
	std::filesystem::path json;
	std::string expected;
};

std::string first_line(const std::filesystem::path &file)
{
	std::ifstream in(file);
	std::string line;
	std::getline(in, line);
	return line;
}

std::vector<Case> corpus()
{
	std::vector<Case> cases;
	for (const auto &e : std::filesystem::directory_iterator(CEN_CORPUS_DIR)) {
		if (e.path().extension() != ".json")
			continue;
		std::filesystem::path expect = e.path();
		expect.replace_extension(".expect");
		cases.push_back({e.path(), std::filesystem::exists(expect)
						   ? first_line(expect)
						   : std::string()});
	}
	std::ranges::sort(cases, {}, &Case::json);
	return cases;
}

} // namespace

TEST(Corpus, EveryMalformedDocumentIsRefusedWithItsMessage)
{
	const std::vector<Case> cases = corpus();

	// An empty or half-copied corpus must not pass quietly.
	ASSERT_GE(cases.size(), 40U);
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json.filename().string());
		ASSERT_FALSE(c.expected.empty())
			<< "no .expect file (or it is empty)";
		try {
			(void)read_document(c.json);
			ADD_FAILURE() << "accepted";
		} catch (const InvalidInput &e) {
			const std::string what = e.what();
			// The message names the file, then the place.
			EXPECT_EQ(what.rfind(c.json.string() + ": ", 0), 0U)
				<< what;
			EXPECT_NE(what.find(c.expected), std::string::npos)
				<< "message: " << what
				<< "\nexpected: " << c.expected;
		}
	}
}

TEST(Corpus, EveryExpectationHasItsDocument)
{
	for (const auto &e : std::filesystem::directory_iterator(CEN_CORPUS_DIR)) {
		if (e.path().extension() != ".expect")
			continue;
		std::filesystem::path json = e.path();
		json.replace_extension(".json");
		EXPECT_TRUE(std::filesystem::exists(json)) << e.path();
	}
}

TEST(Corpus, EveryValidDocumentIsAccepted)
{
	int checked = 0;
	for (const auto &e : std::filesystem::directory_iterator(
		     std::filesystem::path(CEN_CORPUS_DIR) / "valid")) {
		SCOPED_TRACE(e.path().filename().string());
		EXPECT_NO_THROW((void)read_document(e.path()));
		checked++;
	}
	EXPECT_GE(checked, 3);
}
