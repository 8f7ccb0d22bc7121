// SPDX-License-Identifier: GPL-2.0 OR MIT
// JSON documents: defaults, profiles, the worked examples.
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "temp_file.hpp"
#include "constraints_json.hpp"
#include "document.hpp"
#include "input_file.hpp"

using namespace cenalloc;
using namespace cenalloc::platform;

namespace {

std::vector<std::filesystem::path> examples()
{
	std::vector<std::filesystem::path> files;
	// The schema of the format lives beside the examples.
	for (const auto &e : std::filesystem::directory_iterator(CEN_PROFILES_DIR))
		if (e.path().extension() == ".json" &&
		    !e.path().string().ends_with(".schema.json"))
			files.push_back(e.path());
	return files;
}

using cen_test::TempFile;

std::string failure(const std::filesystem::path &file)
{
	try {
		(void)read_document(file);
	} catch (const InvalidInput &e) {
		return e.what();
	}
	ADD_FAILURE() << "accepted: " << file;
	return {};
}

// A valid document padded with spaces to @size bytes.
std::string padded_document(std::size_t size)
{
	std::string text = R"({"version": 1})";
	text.resize(size, ' ');
	return text;
}

} // namespace

TEST(Document, EveryExampleReadsAndUsesEveryDevice)
{
	const auto files = examples();
	ASSERT_GE(files.size(), 2U);
	for (const auto &file : files) {
		SCOPED_TRACE(file.string());
		const Document doc = read_document(file);
		EXPECT_FALSE(doc.description.empty());
		EXPECT_FALSE(doc.backends.empty());
		EXPECT_FALSE(doc.buffers.empty());
		// A device no buffer uses is a mistake in an example.
		for (const PlatformDevice &d : doc.devices) {
			bool used = false;
			for (const PlatformBuffer &b : doc.buffers)
				for (const std::string &n : b.devices)
					used = used || n == d.name;
			EXPECT_TRUE(used) << d.name;
		}
	}
}

TEST(Document, DefaultsAreTheKernels)
{
	const Document doc = parse_document(R"({
		"devices": [{"name": "cam"}],
		"backends": [
			{"name": "a", "kind": "scatter", "max_chunk": "6 MiB"},
			{"name": "b", "kind": "contiguous", "max_chunk": 8192,
			 "cost_rank": 7}
		],
		"buffers": [{"name": "f", "size": "1 MiB", "devices": ["cam"]}]
	})");

	EXPECT_EQ(doc.page_size, 4096U);
	EXPECT_FALSE(doc.relax_default);
	const PlatformDevice &cam = doc.devices.at(0);
	EXPECT_EQ(cam.bus, "platform");
	EXPECT_EQ(cam.driver, "");
	EXPECT_EQ(cam.dma_mask, 0U); // the kernel's "not set"
	EXPECT_FALSE(cam.iommu);
	EXPECT_FALSE(cam.declared);
	const PlatformBackend &a = doc.backends.at(0);
	EXPECT_EQ(a.max_align, std::bit_floor<std::uint64_t>(6 << 20));
	EXPECT_EQ(a.addr_lo, doc.page_size);
	EXPECT_EQ(a.addr_hi, kNoLimit);
	EXPECT_EQ(a.free_bytes, kNoLimit);
	EXPECT_EQ(a.cost_rank, 0U); // its place in the list
	EXPECT_EQ(a.coherency,
		  (std::vector<Coherency>{Coherency::any, Coherency::cached}));
	EXPECT_EQ(doc.backends.at(1).kind, BackendKind::contiguous);
	EXPECT_EQ(doc.backends.at(1).cost_rank, 7U);
	EXPECT_EQ(doc.buffers.at(0).size, 1U << 20);
}

TEST(Document, TheNewestMatchingProfileWins)
{
	const Document doc = parse_document(R"({
		"profiles": [
			{"match": {"bus": "platform"},
			 "constraints": {"max_segments": 1}},
			{"match": {"device": "cam", "driver": "uvc"},
			 "constraints": {"max_segments": 2}},
			{"match": {"driver": "csi"},
			 "constraints": {"max_segments": 3}}
		],
		"devices": [
			{"name": "cam", "driver": "csi"},
			{"name": "disp"},
			{"name": "nic", "bus": "pci", "driver": "csi"}
		]
	})");
	auto segments = [&](std::string_view dev) -> std::optional<std::uint64_t> {
		const Profile *p = matching_profile(doc.profiles, *doc.device(dev));
		if (!p)
			return std::nullopt;
		return p->constraints.get(Field::max_segments);
	};

	// cam matches entries 0 and 2 (not 1: wrong driver): the last.
	EXPECT_EQ(segments("cam"), 3U);
	// A driver key never matches a device without a driver.
	EXPECT_EQ(segments("disp"), 1U);
	EXPECT_EQ(segments("nic"), 3U);
}

TEST(Document, ConstraintsRoundTripThroughJson)
{
	Constraints c;
	c.addr_limit(0xffffffff)
		.max_segments(kAnySegments)
		.max_seg_size(65536)
		.seg_boundary_mask(0xffff)
		.align(4096)
		.iommu(false)
		.coherency(Coherency::uncached);
	const Json j = constraints_to_json(c);
	EXPECT_EQ(j["addr_limit"], "0xffffffff");
	EXPECT_EQ(j["max_segments"], "any");
	EXPECT_EQ(read_constraints(j, ""), c);
	EXPECT_EQ(read_constraints(constraints_to_json(Constraints{}), ""),
		  Constraints{});
}

TEST(Document, FileErrorsStartWithTheFileName)
{
	try {
		(void)read_document("/nonexistent/platform.json");
		FAIL();
	} catch (const InvalidInput &e) {
		// Reviewer: the reason was dropped.
		EXPECT_EQ(std::string(e.what()),
			  "/nonexistent/platform.json: cannot be opened: No "
			  "such file or directory");
	}
	try {
		(void)read_document(CEN_PROFILES_DIR);
		FAIL();
	} catch (const InvalidInput &e) {
		EXPECT_EQ(std::string(e.what()),
			  std::string(CEN_PROFILES_DIR) +
				  ": is a directory, not a file");
	}
}

TEST(Document, BackendsFromTheKernelKeepEveryField)
{
	const Backend k{.name = "carveout",
			.kind = BackendKind::contiguous,
			.cost_rank = 3,
			.max_chunk = 32 << 20,
			.max_align = 32 << 20,
			.addr_lo = 0x60000000,
			.addr_hi = 0x61ffffff,
			.lowest_limit = 0x61ffffff,
			.free_bytes = 1 << 20};
	const auto b = backends_from_kernel({k});
	ASSERT_EQ(b.size(), 1U);
	EXPECT_EQ(b[0].name, k.name);
	EXPECT_EQ(b[0].kind, k.kind);
	EXPECT_EQ(b[0].max_chunk, k.max_chunk);
	EXPECT_EQ(b[0].max_align, k.max_align);
	EXPECT_EQ(b[0].addr_lo, k.addr_lo);
	EXPECT_EQ(b[0].addr_hi, k.addr_hi);
	EXPECT_EQ(b[0].lowest_limit, k.lowest_limit);
	EXPECT_EQ(b[0].free_bytes, k.free_bytes);
	EXPECT_EQ(b[0].cost_rank, k.cost_rank);
}

// Reviewer: `cenalloc solve /dev/zero` grew without bound.  The limit
// holds for files, and for devices and pipes whose size says nothing.
TEST(Document, InputBeyondTheLimitIsRefused)
{
	const TempFile at_limit("at.json", padded_document(kMaxDocumentBytes));
	EXPECT_NO_THROW((void)read_document(at_limit.path()));

	const TempFile beyond("beyond.json",
			      padded_document(kMaxDocumentBytes + 1));
	const std::string limit_message =
		": is larger than 1 MiB (1048576 bytes), the most a document "
		"may hold";
	EXPECT_EQ(failure(beyond.path()), beyond.path() + limit_message);
	EXPECT_EQ(failure("/dev/zero"), "/dev/zero" + limit_message);
	EXPECT_EQ(kMaxDocumentBytes, 1U << 20);
}

// Reviewer: control characters of file names reached the terminal.
TEST(Document, FileNamesAreEscapedInMessages)
{
	const TempFile bad("a\x1b[2Jb\n.json", "{\"page_size\": 1000}");
	const std::string e = failure(bad.path());

	EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
	EXPECT_NE(e.find("a\\x1b[2Jb\\n.json: page_size: 1000 is not a power"),
		  std::string::npos)
		<< e;
}
