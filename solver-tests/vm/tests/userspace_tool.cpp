// SPDX-License-Identifier: GPL-2.0
//
// The cenalloc tool (packed as /tests/cenalloc, a static build) against
// the real cenalloc.ko:
//   - `cenalloc profile load` makes a device's next attach take the
//     profile's constraints, and the allocation follows them;
//   - `cenalloc info` shows the decision the kernel took;
//   - `cenalloc solve` on a platform equal to this VM's (the worked
//     example userspace/profiles/test-vm-x86_64.json, or the kernel's own
//     backends) predicts the backend the kernel chooses;
//   - `cenalloc discover` describes this VM, and `solve` runs on it.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <linux/videodev2.h>
#include <nlohmann/json.hpp>
#include <sys/mount.h>

#include <cenalloc/cenalloc.hpp>

#include "constraints_json.hpp"
#include "document.hpp"
#include "importer.hpp"
#include "cenalloc.hpp"
#include "run_process.hpp"
#include "sysfs.hpp"

namespace {

using Json = cenalloc::platform::Json;
using cen_test::ProcessResult;

constexpr const char *kTool = "/tests/cenalloc";
constexpr std::uint64_t kMiB = 1 << 20;
constexpr uid_t kNobody = 65534;

// The worked example, as the repository has it (userspace.mk embeds it).
constexpr const char *kVmPlatform =
#include "vm_platform.inc"
	;

ProcessResult tool(std::vector<std::string> args, cen_test::RunOptions opts = {})
{
	args.insert(args.begin(), kTool);
	return cen_test::run_process(args, opts);
}

Json tool_json(std::vector<std::string> args, cen_test::RunOptions opts = {})
{
	args.push_back("--json");
	const ProcessResult r = tool(args, std::move(opts));
	EXPECT_EQ(r.status, 0) << r.err;
	return r.status == 0 ? Json::parse(r.out) : Json();
}

std::string write_temp(const std::string &name, const std::string &text)
{
	const std::string path = "/tmp/" + name;
	std::ofstream(path) << text;
	return path;
}

bool contains(const std::string &s, const std::string &part)
{
	return s.find(part) != std::string::npos;
}

class Tool : public testing::Test {
protected:
	void SetUp() override
	{
		if (::access("/dev/cenalloc", F_OK))
			GTEST_SKIP() << "cenalloc.ko not loaded";
		ASSERT_EQ(::access(kTool, X_OK), 0)
			<< kTool << " is not packed (tests.list)";
		alloc_.emplace();
	}
	cenalloc::Allocator &alloc() { return *alloc_; }

	std::optional<cenalloc::Allocator> alloc_;
};

// ---- cenalloc backends -------------------------------------------------

TEST_F(Tool, BackendsAreWhatQuerySays)
{
	const cenalloc::Capabilities caps = alloc().query();
	const Json j = tool_json({"backends"});

	EXPECT_EQ(j["abi_version"], caps.abi_version);
	EXPECT_EQ(j["page_size"], caps.page_size);
	ASSERT_EQ(j["backends"].size(), caps.backends.size());
	for (std::size_t i = 0; i < caps.backends.size(); i++) {
		const cenalloc::Backend &b = caps.backends[i];
		const Json &t = j["backends"][i];
		EXPECT_EQ(t["name"], b.name);
		EXPECT_EQ(t["kind"], std::string(cenalloc::to_string(b.kind)));
		EXPECT_EQ(t["max_chunk"], b.max_chunk);
		EXPECT_EQ(t["addr_lo"], cenalloc::format_address(b.addr_lo));
		EXPECT_EQ(t["addr_hi"], cenalloc::format_address(b.addr_hi));
		EXPECT_EQ(t["cost_rank"], b.cost_rank);
	}
	const ProcessResult text = tool({"backends"});
	ASSERT_EQ(text.status, 0) << text.err;
	for (const cenalloc::Backend &b : caps.backends)
		EXPECT_TRUE(contains(text.out, "\n" + b.name + " ")) << text.out;
}

// ---- cenalloc profile load: applied at the next attach ------------------

const cenalloc::Member *member(const cenalloc::BufferInfo &info,
			       const std::string &device)
{
	for (const cenalloc::Member &m : info.members)
		if (m.device == device)
			return &m;
	return nullptr;
}

TEST_F(Tool, ALoadedProfileShapesTheNextAttachAndItsAllocation)
{
	cen::vm::Importer imp;
	// A plain 64-bit device: nobody describes it, so by default it gets
	// contiguous memory from anywhere.
	cen::vm::Device dev = imp.create_device({.name = "cen-tool-prof",
						 .dma_bits = 64,
						 .max_seg_size = UINT32_MAX});
	const std::string name = dev.name();

	cenalloc::Buffer before = alloc().create({.size = 2 * kMiB, .name = "tool-before"});
	cen::vm::Attachment att_before = dev.attach(before.fd());
	cen::vm::Mapping map_before = att_before.map();
	ASSERT_TRUE(map_before.pass()) << map_before.describe();
	const cenalloc::BufferInfo info_before = before.info();
	const cenalloc::Member *m = member(info_before, name);
	ASSERT_TRUE(m);
	EXPECT_EQ(m->constraints.source(cenalloc::Field::max_segments),
		  cenalloc::Source::default_policy);

	// The profile: this device scatters, below 4 GiB.
	const std::string profile = write_temp("tool-profile.json", R"({
		"profiles": [{
			"match": {"device": ")" + name + R"(", "bus": "platform"},
			"constraints": {"max_segments": "any", "addr_limit": "0xffffffff"}
		}]
	})");

	// Loading needs root, even where every user may open the node.
	const cen::vm::NodesOpenToAll open_nodes;
	const ProcessResult denied = tool({"profile", "load", profile},
					  {.uid = kNobody});
	EXPECT_EQ(denied.status, 5) << denied.err;
	EXPECT_TRUE(contains(denied.err, "CAP_SYS_ADMIN")) << denied.err;

	const ProcessResult loaded = tool({"profile", "load", profile});
	ASSERT_EQ(loaded.status, 0) << loaded.err;
	EXPECT_TRUE(contains(loaded.out, "loaded device=" + name + " bus=platform"))
		<< loaded.out;

	// Attached before: unchanged.
	EXPECT_EQ(member(before.info(), name)->constraints,
		  m->constraints);

	// Attached after: the profile's constraints, and memory that
	// follows them.
	cenalloc::Buffer after = alloc().create({.size = 8 * kMiB, .name = "tool-after"});
	cen::vm::Attachment att_after = dev.attach(after.fd());
	cen::vm::Mapping map_after = att_after.map();
	ASSERT_TRUE(map_after.pass()) << map_after.describe();
	const cenalloc::BufferInfo info_after = after.info();
	const cenalloc::Member *ma = member(info_after, name);
	ASSERT_TRUE(ma);
	EXPECT_EQ(ma->constraints.get(cenalloc::Field::max_segments),
		  cenalloc::kAnySegments);
	EXPECT_EQ(ma->constraints.source(cenalloc::Field::max_segments),
		  cenalloc::Source::profile);
	EXPECT_EQ(ma->constraints.get(cenalloc::Field::addr_limit), 0xffffffffU);
	EXPECT_EQ(ma->constraints.source(cenalloc::Field::addr_limit),
		  cenalloc::Source::profile);
	EXPECT_EQ(info_after.backend, "system") << info_after.last_reason;
	// Unconstrained pages would come from above 4 GiB in this VM.
	EXPECT_LE(map_after.report().r.highest, 0xffffffffULL)
		<< map_after.describe();

	// Cleared: the next attach is back to the default.
	const ProcessResult cleared = tool({"profile", "clear", profile});
	ASSERT_EQ(cleared.status, 0) << cleared.err;
	EXPECT_TRUE(contains(cleared.out, "cleared device=" + name)) << cleared.out;
	const ProcessResult again = tool({"profile", "clear", profile});
	EXPECT_EQ(again.status, 0) << again.err;
	EXPECT_TRUE(contains(again.out, "not loaded: device=" + name)) << again.out;
	cenalloc::Buffer later = alloc().create({.size = 2 * kMiB, .name = "tool-later"});
	cen::vm::Attachment att_later = dev.attach(later.fd());
	EXPECT_EQ(member(later.info(), name)->constraints.source(
			  cenalloc::Field::max_segments),
		  cenalloc::Source::default_policy);
}

// ---- cenalloc info: the decision ---------------------------------------

// debugfs unmounted for a while (the tool then finds buffers by probing).
class DebugfsAway {
public:
	DebugfsAway() : ok_(::umount("/sys/kernel/debug") == 0) {}
	DebugfsAway(const DebugfsAway &) = delete;
	DebugfsAway &operator=(const DebugfsAway &) = delete;
	~DebugfsAway()
	{
		if (ok_)
			::mount("debugfs", "/sys/kernel/debug", "debugfs", 0, nullptr);
	}
	bool ok() const { return ok_; }

private:
	bool ok_;
};

TEST_F(Tool, InfoShowsTheKernelsDecision)
{
	cen::vm::Importer imp;
	cen::vm::Device cam = imp.create_device({.name = "cen-tool-cam",
						 .dma_bits = 32,
						 .max_seg_size = UINT32_MAX,
						 .declare = CEN_IMP_DECLARE_CONTIG});
	cenalloc::Buffer buf = alloc().create({.size = 3 * kMiB, .name = "tool-info"});
	cen::vm::Attachment att = cam.attach(buf.fd());
	cen::vm::Mapping map = att.map();
	ASSERT_TRUE(map.pass()) << map.describe();
	// Buffer names are any bytes: the JSON output must still be JSON.
	cenalloc::Buffer idle = alloc().create({.size = 4096, .name = "tool-idle\xff"});
	const cenalloc::BufferInfo info = buf.info();
	ASSERT_TRUE(info.backed);

	// By fd: no privilege needed but access to the node.
	const cen::vm::NodesOpenToAll open_nodes;
	const Json by_fd = tool_json({"info", "--fd", std::to_string(buf.fd())},
				     {.inherit_fds = {buf.fd()}, .uid = kNobody});
	EXPECT_EQ(by_fd["id"], buf.id());
	EXPECT_EQ(by_fd["backend"], info.backend);
	EXPECT_EQ(by_fd["runs"], info.runs);
	EXPECT_EQ(by_fd["last_reason"], info.last_reason);
	ASSERT_EQ(by_fd["members"].size(), 1U);
	EXPECT_EQ(by_fd["members"][0]["device"], cam.name());
	EXPECT_EQ(by_fd["members"][0]["sources"]["max_segments"], "driver");
	EXPECT_EQ(by_fd["merged"]["from"]["max_segments"], cam.name());

	// By id (root): the same.
	EXPECT_EQ(tool_json({"info", std::to_string(buf.id())}), by_fd);
	const ProcessResult text = tool({"info", std::to_string(buf.id())});
	ASSERT_EQ(text.status, 0) << text.err;
	EXPECT_TRUE(contains(text.out, "backed by " + info.backend)) << text.out;
	EXPECT_TRUE(contains(text.out, info.last_reason)) << text.out;

	// Every buffer: ours among them, found through debugfs and, with
	// debugfs gone, by probing.
	auto listed = [&](const Json &all) {
		int found = 0;
		for (const Json &b : all["buffers"]) {
			if (b["id"] == buf.id()) {
				found++;
				EXPECT_EQ(b["backend"], info.backend);
			}
			found += b["id"] == idle.id();
		}
		return found;
	};
	EXPECT_EQ(listed(tool_json({"info"})), 2);
	{
		const DebugfsAway away;
		ASSERT_TRUE(away.ok()) << "umount debugfs: " << std::strerror(errno);
		ASSERT_NE(::access("/sys/kernel/debug/cenalloc", F_OK), 0);
		EXPECT_EQ(listed(tool_json({"info"})), 2);
	}
	ASSERT_EQ(::access("/sys/kernel/debug/cenalloc/buffers", F_OK), 0);
	const ProcessResult table = tool({"info"});
	EXPECT_TRUE(contains(table.out, "tool-info")) << table.out;

	// Not root, or no such buffer: documented exit statuses.
	const ProcessResult denied = tool({"info"}, {.uid = kNobody});
	EXPECT_EQ(denied.status, 5) << denied.err;
	const ProcessResult missing = tool({"info", "999999999"});
	EXPECT_EQ(missing.status, 1);
	EXPECT_TRUE(contains(missing.err, "no cenalloc buffer has this id"))
		<< missing.err;
}

// ---- cenalloc solve: the prediction matches the kernel ------------------

// vivid's capture node at 1920x1080 YUYV, buffers by DMABUF: QBUF makes
// videobuf2-dma-contig attach and map, which allocates.
class Vivid {
public:
	Vivid()
	{
		for (int n = 0; n < 16 && !fd_; n++) {
			cen::vm::UniqueFd fd(::open(("/dev/video" + std::to_string(n)).c_str(),
						    O_RDWR | O_CLOEXEC));
			v4l2_capability cap{};
			if (fd && !cen::vm::xioctl(fd.get(), VIDIOC_QUERYCAP, &cap) &&
			    !std::strcmp(reinterpret_cast<char *>(cap.driver), "vivid") &&
			    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
				fd_ = std::move(fd);
		}
		if (!fd_)
			return;
		int input = 0;
		v4l2_format f{};
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		f.fmt.pix.width = 1920;
		f.fmt.pix.height = 1080;
		f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
		f.fmt.pix.field = V4L2_FIELD_NONE;
		v4l2_requestbuffers r{};
		r.count = 8;
		r.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		r.memory = V4L2_MEMORY_DMABUF;
		ok_ = !cen::vm::xioctl(fd_.get(), VIDIOC_S_INPUT, &input) &&
		      !cen::vm::xioctl(fd_.get(), VIDIOC_S_FMT, &f) &&
		      !cen::vm::xioctl(fd_.get(), VIDIOC_REQBUFS, &r);
		frame_ = f.fmt.pix.sizeimage;
	}
	Vivid(const Vivid &) = delete;
	Vivid &operator=(const Vivid &) = delete;
	~Vivid()
	{
		if (!fd_)
			return;
		v4l2_requestbuffers r{};
		r.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		r.memory = V4L2_MEMORY_DMABUF;
		cen::vm::xioctl(fd_.get(), VIDIOC_REQBUFS, &r);
	}
	bool ok() const { return ok_; }
	std::uint32_t frame_size() const { return frame_; }

	// 0 or -errno.
	int queue(int dmabuf, std::uint64_t len)
	{
		v4l2_buffer b{};
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = next_++;
		b.m.fd = dmabuf;
		b.length = static_cast<std::uint32_t>(len);
		return cen::vm::xioctl(fd_.get(), VIDIOC_QBUF, &b);
	}

private:
	cen::vm::UniqueFd fd_;
	bool ok_ = false;
	std::uint32_t frame_ = 0;
	std::uint32_t next_ = 0;
};

std::string read_param(const std::string &name)
{
	std::string v = cen::vm::slurp("/sys/module/cenalloc/parameters/" + name);
	while (!v.empty() && v.back() == '\n')
		v.pop_back();
	return v;
}

// Is this the kernel the worked example describes (Debian's stock
// x86_64 kernel, no CMA)?  The debug kernel runs these tests too.
bool stock_kernel()
{
	return !contains(cen::vm::slurp("/etc/centest/kernel.config"),
			 "\nCONFIG_DMA_CMA=y\n");
}

class Solve : public Tool {
protected:
	// The example with the module's relax_default, written to /tmp.
	std::string platform_file()
	{
		Json doc = Json::parse(kVmPlatform);
		doc["relax_default"] = read_param("relax_default") == "Y";
		return write_temp("vm-platform.json", doc.dump(2));
	}

	// Create each buffer of the platform in the kernel, with its
	// devices attached the way their drivers attach, and compare the
	// kernel's choice and members with the prediction @predicted.
	void expect_kernel_agrees(const Json &platform, const Json &predicted)
	{
		Vivid vivid;
		ASSERT_TRUE(vivid.ok()) << "no vivid capture node";
		std::vector<cenalloc::Buffer> held;
		std::set<std::string> backends;
		ASSERT_EQ(predicted["buffers"].size(), platform["buffers"].size());
		for (std::size_t i = 0; i < platform["buffers"].size(); i++) {
			const Json &spec = platform["buffers"][i];
			const Json &p = predicted["buffers"][i];
			const std::uint64_t size = p["size"];
			SCOPED_TRACE(spec["name"].get<std::string>());
			held.push_back(alloc().create(
				{.size = size, .name = spec["name"]}));
			const cenalloc::Buffer &buf = held.back();
			const Json devices = spec.value("devices", Json::array());
			if (devices.empty()) {
				const cenalloc::Mapping m = buf.map();
				const cenalloc::CpuAccess cpu =
					m.access(cenalloc::Access::read);
			} else {
				ASSERT_EQ(devices, Json::array({"vivid.0"}))
					<< "this test attaches vivid.0 only";
				ASSERT_GE(size, vivid.frame_size());
				ASSERT_EQ(vivid.queue(buf.fd(), size), 0)
					<< buf.info().last_reason;
			}
			const cenalloc::BufferInfo info = buf.info();
			ASSERT_TRUE(info.backed) << info.last_reason;
			EXPECT_EQ(p["backend"], info.backend)
				<< "predicted: " << p["reason"]
				<< "\nkernel: " << info.last_reason;
			backends.insert(info.backend);
			// Each member resolved alike, value and source.
			ASSERT_EQ(p["members"].size(), info.members.size());
			for (std::size_t k = 0; k < info.members.size(); k++) {
				const cenalloc::Member &km = info.members[k];
				const Json &pm = p["members"][k];
				EXPECT_EQ(pm["name"], km.device);
				EXPECT_EQ(pm["constraints"],
					  cenalloc::platform::constraints_to_json(
						  km.constraints))
					<< km.device;
				EXPECT_EQ(pm["sources"],
					  cenalloc::platform::sources_to_json(
						  km.constraints))
					<< km.device;
			}
		}
		// The example is chosen so that the kernel's answers differ:
		// agreeing on one backend everywhere would prove little.
		EXPECT_GE(backends.size(), 3U);
	}
};

// `cenalloc discover` on this VM: the devices as the kernel resolves them
// (vivid.0 as the worked example, written by hand, describes it), the
// kernel's backends, and a document `solve` runs on at once.
TEST_F(Tool, DiscoverDescribesThisVmAndSolveRunsOnIt)
{
	const std::string file = "/tmp/discovered.json";
	const ProcessResult r = tool({"discover", "-o", file});
	ASSERT_EQ(r.status, 0) << r.err;
	const cenalloc::platform::Document doc =
		cenalloc::platform::read_document(file);
	const cenalloc::platform::Document example =
		cenalloc::platform::parse_document(kVmPlatform);

	const auto named = [](const cenalloc::platform::Document &d,
			      const std::string &name) {
		for (const auto &dev : d.devices)
			if (dev.name == name)
				return std::optional(dev);
		return std::optional<cenalloc::platform::PlatformDevice>();
	};
	const auto vivid = named(doc, "vivid.0");
	const auto expected = named(example, "vivid.0");
	ASSERT_TRUE(vivid && expected) << "vivid.0 not discovered";
	EXPECT_EQ(vivid->driver, "vivid");
	EXPECT_EQ(vivid->bus, "platform");
	EXPECT_EQ(vivid->dma_mask, expected->dma_mask);
	EXPECT_EQ(vivid->iommu, expected->iommu);
	const cenalloc::Capabilities caps = alloc().query();
	ASSERT_EQ(doc.backends.size(), caps.backends.size());
	for (std::size_t i = 0; i < caps.backends.size(); i++)
		EXPECT_EQ(doc.backends[i].name, caps.backends[i].name);
	// solve reads the file as it is and decides every example buffer.
	// Status 1 (a buffer cannot be backed) is a true answer on some
	// machines: arm64's virtio-pci takes one 64 KiB segment, no 1080p
	// frame.  vivid.0's frame must be backed everywhere (CMA or contig).
	const ProcessResult solved = tool({"solve", "--json", file});
	ASSERT_TRUE(solved.status == 0 || solved.status == 1)
		<< solved.status << solved.err;
	const Json result = Json::parse(solved.out);
	bool vivid_backed = false;
	for (const Json &b : result["buffers"])
		if (b["name"] == "vivid.0")
			vivid_backed = !b["backend"].is_null();
	EXPECT_TRUE(vivid_backed) << solved.out;
}

TEST_F(Solve, TheExampleDescribesThisVm)
{
	if (!stock_kernel())
		GTEST_SKIP() << "not the stock kernel the example describes";
	const cenalloc::platform::Document doc =
		cenalloc::platform::parse_document(kVmPlatform);
	const cenalloc::Capabilities caps = alloc().query();

	// Every backend field the solver uses, but free memory, which
	// changes (the example states what this VM has at least).
	ASSERT_EQ(doc.backends.size(), caps.backends.size());
	for (std::size_t i = 0; i < caps.backends.size(); i++) {
		const cenalloc::Backend &k = caps.backends[i];
		const cenalloc::platform::PlatformBackend &e = doc.backends[i];
		SCOPED_TRACE(k.name);
		EXPECT_EQ(e.name, k.name);
		EXPECT_EQ(e.kind, k.kind);
		EXPECT_EQ(e.max_chunk, k.max_chunk);
		EXPECT_EQ(e.max_align, k.max_align);
		EXPECT_EQ(e.addr_lo, k.addr_lo);
		EXPECT_EQ(e.addr_hi, k.addr_hi);
		EXPECT_EQ(e.lowest_limit, k.lowest_limit);
		EXPECT_EQ(e.cost_rank, k.cost_rank);
	}
	EXPECT_EQ(doc.page_size, caps.page_size);
	EXPECT_EQ(doc.relax_default, read_param("relax_default") == "Y");
}

TEST_F(Solve, PredictsTheKernelsBackendFromTheWorkedExample)
{
	if (!stock_kernel())
		GTEST_SKIP() << "not the stock kernel the example describes";
	const std::string file = platform_file();
	const Json predicted = tool_json({"solve", file});
	expect_kernel_agrees(Json::parse(kVmPlatform), predicted);
}

TEST_F(Solve, PredictsTheKernelsBackendFromTheKernelsBackends)
{
	const std::string file = platform_file();
	const Json predicted = tool_json({"solve", "--kernel-backends", file});
	expect_kernel_agrees(Json::parse(kVmPlatform), predicted);
}

} // namespace
