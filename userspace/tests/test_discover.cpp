// SPDX-License-Identifier: GPL-2.0 OR MIT
// cenalloc discover without a kernel: sysfs read from a fake tree, the
// kernel's answers made by the what-if (the kernel's own resolution code),
// and the document it writes read back and solved.  The run against a real
// cenalloc.ko is in the VM tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "discovery.hpp"
#include "document.hpp"
#include "run_process.hpp"
#include "what_if.hpp"

using namespace cenalloc;
using namespace cenalloc::platform;
using namespace cenalloc::tool;
namespace fs = std::filesystem;

namespace {

// A sysfs tree as the kernel lays it out: bus/<bus>/devices/<name> are
// links into devices/, with driver and iommu_group links beside the
// device's attributes.
class FakeSysfs {
public:
	FakeSysfs()
	{
		std::string tmpl = (fs::temp_directory_path() /
				    "cenalloc-sysfs.XXXXXX").string();
		root_ = ::mkdtemp(tmpl.data());
	}
	FakeSysfs(const FakeSysfs &) = delete;
	FakeSysfs &operator=(const FakeSysfs &) = delete;
	~FakeSysfs() { fs::remove_all(root_); }

	void add(const std::string &bus, const std::string &name,
		 const std::string &driver, const std::string &group = "",
		 const std::string &dma_mask_bits = "")
	{
		const fs::path dev = root_ / "devices" / bus / name;
		fs::create_directories(dev);
		fs::create_directories(root_ / "bus" / bus / "devices");
		fs::create_symlink(dev, root_ / "bus" / bus / "devices" / name);
		if (!driver.empty())
			fs::create_symlink("../../../bus/" + bus + "/drivers/" +
						   driver,
					   dev / "driver");
		if (!group.empty())
			fs::create_symlink("../../../kernel/iommu_groups/" + group,
					   dev / "iommu_group");
		if (!dma_mask_bits.empty())
			std::ofstream(dev / "dma_mask_bits") << dma_mask_bits << "\n";
	}
	const fs::path &root() const { return root_; }

private:
	fs::path root_;
};

void populate(FakeSysfs &s)
{
	s.add("platform", "vivid.0", "vivid");
	s.add("platform", "fe400000.display", "soc-display");
	s.add("platform", "fe200000.csi", "soc-csi2");
	s.add("platform", "unbound.0", "");
	s.add("platform", std::string(70, 'x'), "long");
	s.add("pci", "0000:00:02.0", "i915", "1", "39");
}

// What the kernel knows of the fake devices: the truth the kernel's
// resolution (the what-if runs the same code) turns into INFO members.
constexpr const char *kTruth = R"({
	"profiles": [{"match": {"driver": "soc-display"},
		      "constraints": {"max_segments": "any", "align": "64K"}}],
	"devices": [
		{"name": "vivid.0", "bus": "platform", "driver": "vivid",
		 "dma_mask": "0xffffffff"},
		{"name": "fe400000.display", "bus": "platform",
		 "driver": "soc-display", "dma_mask": "any",
		 "bus_dma_limit": "0xbfffffff", "max_seg_size": "64K",
		 "seg_boundary_mask": "0xffffffff"},
		{"name": "fe200000.csi", "bus": "platform", "driver": "soc-csi2",
		 "declares": {"max_segments": 1, "addr_limit": "0x3fffffff"}},
		{"name": "0000:00:02.0", "bus": "pci", "driver": "i915",
		 "dma_mask": "0x7fffffffff", "iommu": true}
	]
})";

Backend backend(const std::string &name, BackendKind kind,
		std::uint64_t max_chunk)
{
	return {.name = name, .kind = kind, .max_chunk = max_chunk,
		.max_align = max_chunk, .addr_lo = 0x1000,
		.addr_hi = 0x1ffffffff, .free_bytes = 1ULL << 30};
}

// discover's document for @devices, each resolved by the kernel as the
// truth says.
Json discovered(std::vector<SysfsDevice> devices, const Document &truth)
{
	Discovery d{.description = "test", .page_size = 4096,
		    .relax_default = false};
	for (SysfsDevice &s : devices) {
		DiscoveredDevice dev{.sysfs = s};
		if (const PlatformDevice *t = truth.device(s.name))
			dev.kernel = Member{.device = s.hint(),
					    .driver = s.driver,
					    .from_hint = true,
					    .constraints = resolve_device(truth, *t)};
		d.devices.push_back(dev);
	}
	d.backends = {backend("system", BackendKind::scatter, 1 << 22),
		      backend("contig", BackendKind::contiguous, 1 << 24)};
	return platform_json(d);
}

} // namespace

TEST(Discover, ReadsBoundDevicesFromSysfs)
{
	FakeSysfs sys;
	populate(sys);

	const SysfsScan scan = scan_sysfs(sys.root(), false);
	ASSERT_EQ(scan.devices.size(), 4U);
	// Platform first, each bus by name.
	EXPECT_EQ(scan.devices[0].name, "fe200000.csi");
	EXPECT_EQ(scan.devices[1].name, "fe400000.display");
	EXPECT_EQ(scan.devices[2].name, "vivid.0");
	const SysfsDevice &gpu = scan.devices[3];
	EXPECT_EQ(gpu.hint(), "pci:0000:00:02.0");
	EXPECT_EQ(gpu.driver, "i915");
	EXPECT_EQ(gpu.iommu_group, "1");
	EXPECT_EQ(gpu.dma_mask_bits, 39U);
	EXPECT_EQ(scan.devices[2].driver, "vivid");
	EXPECT_FALSE(scan.devices[2].iommu_group);
	// The name the ABI cannot carry is left out, and said so.
	ASSERT_EQ(scan.notes.size(), 1U);
	EXPECT_NE(scan.notes[0].find("longer than 63 bytes"), std::string::npos);

	EXPECT_EQ(scan_sysfs(sys.root(), true).devices.size(), 5U);
	EXPECT_TRUE(scan_sysfs(sys.root() / "nothing", true).devices.empty());
}

TEST(Discover, WithoutTheKernelWritesWhatSysfsSays)
{
	FakeSysfs sys;
	populate(sys);
	Discovery d{.description = "sysfs only"};
	for (const SysfsDevice &s : scan_sysfs(sys.root(), false).devices)
		d.devices.push_back({.sysfs = s});

	const Document doc = parse_document(platform_json(d).dump());
	ASSERT_EQ(doc.devices.size(), 4U);
	const PlatformDevice *gpu = doc.device("0000:00:02.0");
	ASSERT_TRUE(gpu);
	EXPECT_EQ(gpu->bus, "pci");
	EXPECT_EQ(gpu->dma_mask, 0x7fffffffffU);
	EXPECT_TRUE(gpu->iommu);
	EXPECT_FALSE(doc.device("vivid.0")->iommu);
	EXPECT_TRUE(doc.backends.empty());
	EXPECT_EQ(doc.buffers.size(), 4U);
}

TEST(Discover, SolveResolvesEveryDeviceAsTheKernelDid)
{
	FakeSysfs sys;
	populate(sys);
	const Document truth = parse_document(kTruth);

	const Json json = discovered(scan_sysfs(sys.root(), false).devices, truth);
	const Document doc = parse_document(json.dump());
	ASSERT_EQ(doc.devices.size(), truth.devices.size());
	for (const PlatformDevice &t : truth.devices) {
		SCOPED_TRACE(t.name);
		const PlatformDevice *d = doc.device(t.name);
		ASSERT_TRUE(d);
		EXPECT_EQ(d->driver, t.driver);
		// Value and source of every field, default policy included.
		EXPECT_EQ(resolve_device(doc, *d), resolve_device(truth, t));
	}
	// The loaded profile came back as a profile; the declaration as one.
	EXPECT_EQ(doc.profiles.size(), 1U);
	EXPECT_TRUE(doc.device("fe200000.csi")->declared);

	// And solve decides every example buffer at once.
	ASSERT_EQ(doc.buffers.size(), 4U);
	for (const BufferDecision &b : solve(doc))
		EXPECT_TRUE(b.feasible()) << b.buffer << ": " << b.reason;
}

TEST(Discover, TheCommandWritesADocumentWithoutTheModule)
{
	FakeSysfs sys;
	populate(sys);
	const fs::path out = sys.root() / "board.json";
	const auto r = cen_test::run_process(
		{CEN_TOOL_PATH, "discover", "--sysfs", sys.root().string(),
		 "--device=/nonexistent/cenalloc", "-o", out.string()});

	ASSERT_EQ(r.status, 0) << r.err;
	EXPECT_NE(r.err.find("module"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("longer than 63 bytes"), std::string::npos) << r.err;
	EXPECT_NE(r.out.find("wrote " + out.string()), std::string::npos) << r.out;
	EXPECT_EQ(read_document(out).devices.size(), 4U);

	// stdout by default: the same document.
	const auto s = cen_test::run_process(
		{CEN_TOOL_PATH, "discover", "--sysfs", sys.root().string(),
		 "--device=/nonexistent/cenalloc"});
	ASSERT_EQ(s.status, 0) << s.err;
	EXPECT_EQ(parse_document(s.out).devices.size(), 4U);
}
