// SPDX-License-Identifier: GPL-2.0
//
// The camera-to-display pipeline, as an application that never chooses a
// heap writes it: frames from /dev/dma_heap/cenalloc, queued to vivid
// (allocators=1: videobuf2-dma-contig, 32-bit, contiguous only) and
// imported into vkms (DRM PRIME, ADDFB2), each captured frame shown with
// an atomic commit and read back through vkms' writeback connector, whose
// RGB bytes must equal the captured ones, frame by frame.  Both import
// orders, no hints; the system heap used the same way is refused; the
// same loop on a hand-chosen allocator gives the frame rate to compare.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "camera.hpp"
#include "cenalloc.hpp"
#include "contact_sheet.hpp"
#include "display.hpp"
#include "frame_compare.hpp"

using namespace cen::vm;
using cenalloc::example::Camera;
using cenalloc::example::Display;
using cenalloc::example::FrameFormat;
using cenalloc::example::FrameView;

namespace {

constexpr uint32_t kBuffers = 4, kFrames = 12;

enum class Order { camera_first, display_first };

const char *order_name(Order o)
{
	return o == Order::camera_first ? "camera first" : "display first";
}

// Where the frames come from: buffer @index as a dma-buf of @len bytes,
// or empty with *why set; the camera allocates them when @memory is own.
struct Source {
	std::string name;
	std::function<UniqueFd(uint32_t index, uint64_t len, std::string *why)>
		alloc;
	Camera::Memory memory = Camera::Memory::dmabuf;
	bool cenalloc = false;	// its buffers explain their decisions
};

Source heap(const std::string &path)
{
	return {path,
		[path](uint32_t, uint64_t len, std::string *why) {
			int err = 0;
			UniqueFd fd = heap_alloc(path.c_str(), len, &err);
			if (!fd)
				*why = path + ": " + std::strerror(-err);
			return fd;
		},
		Camera::Memory::dmabuf, path == kCenallocHeapPath};
}

// The camera's own buffers, exported: what applications do today when no
// heap suits the camera.
Source cameras_own(Camera *cam)
{
	return {"vivid's own buffers (VIDIOC_EXPBUF)",
		[cam](uint32_t index, uint64_t, std::string *why) {
			const int fd = cam->export_buffer(index);
			if (fd < 0)
				*why = cam->error();
			return fd < 0 ? UniqueFd() : UniqueFd(fd);
		},
		Camera::Memory::own};
}

// A dma-heap of this kernel that gives contiguous memory (the CMA heap:
// "reserved" in 6.12, "default_cma_region" since 6.17); empty if none.
std::string cma_heap()
{
	std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir("/dev/dma_heap"),
						::closedir);
	for (dirent *e; d && (e = ::readdir(d.get()));) {
		const std::string n = e->d_name;
		if (n != "." && n != ".." && n != "cenalloc" &&
		    n.rfind("system", 0) != 0)
			return "/dev/dma_heap/" + n;
	}
	return {};
}

struct Outcome {
	std::string failure;	// empty: every frame went through
	uint32_t shown = 0, verified = 0;
	double fps = 0;
	// cenalloc's decision for each buffer once the first device had
	// imported it (what it allocated), and once the second had.
	std::vector<std::pair<std::string, std::string>> decisions;
};

class Pipeline : public testing::Test {
protected:
	void SetUp() override
	{
		std::string why;
		if (!Display::open("vkms", &why))
			GTEST_SKIP() << "no vkms display with writeback (" << why
				     << "); vkms is not in Debian's stock configs:"
					" run-vm.sh builds it from the kernel's source";
		auto c = Camera::open("vivid");
		ASSERT_TRUE(c) << "no vivid capture node";
		camera_ = std::make_unique<Camera>(std::move(*c));
		if (Cenalloc::available())
			cen_ = std::make_unique<Cenalloc>();
	}

	void set_format(uint32_t width, uint32_t height)
	{
		ASSERT_EQ(camera_->set_format(width, height, &fmt_), 0)
			<< camera_->error();
		ASSERT_EQ(fmt_.width, width);
		ASSERT_EQ(fmt_.height, height);
	}

	Outcome run(const Source &src, Order order, uint32_t frames,
		cenalloc::example::ContactSheet *sheet = nullptr);

	std::string reason(int fd) { return cen_->info(fd).reason(); }

	std::unique_ptr<Display> display_;	// one per run
	std::unique_ptr<Camera> camera_;
	std::unique_ptr<Cenalloc> cen_;
	FrameFormat fmt_{};
};

Outcome Pipeline::run(const Source &src, Order order, uint32_t frames,
		  cenalloc::example::ContactSheet *sheet)
{
	Outcome r;
	std::vector<UniqueFd> bufs;
	std::vector<int> fbs;
	// A display client of its own: closing it at the end removes its
	// framebuffers, so vkms lets go of this run's buffers.
	auto d = Display::open("vkms", &r.failure);
	if (!d)
		return r;
	r.failure.clear();
	display_ = std::make_unique<Display>(std::move(*d));
	display_->set_size(fmt_.width, fmt_.height);
	if (camera_->request(kBuffers, src.memory)) {
		r.failure = camera_->error();
		return r;
	}
	// Every buffer goes to both devices, in @order, before streaming.
	for (uint32_t i = 0; i < kBuffers && r.failure.empty(); i++) {
		std::string why;
		bufs.push_back(src.alloc(i, fmt_.size, &why));
		const int fd = bufs.back().get();
		if (fd < 0) {
			r.failure = why;
			break;
		}
		auto to_camera = [&] {
			return camera_->queue(i, fd, fmt_.size) ?
				"camera: " + camera_->error() : std::string();
		};
		auto to_display = [&] {
			const int fb = display_->import(fd, fmt_.pitch);
			fbs.push_back(fb);
			return fb < 0 ? "display: " + display_->error() :
					std::string();
		};
		const bool cam = order == Order::camera_first;
		const std::string why_not = cam ? to_camera() : to_display();
		const std::string first = src.cenalloc ? reason(fd) : "";
		r.failure = why_not.empty() ? (cam ? to_display() : to_camera()) :
					      why_not;
		if (src.cenalloc) {
			r.decisions.emplace_back(first, reason(fd));
			if (!r.failure.empty())
				r.failure += " (cenalloc: " + reason(fd) + ")";
		}
	}
	if (!r.failure.empty() || camera_->stream(true)) {
		if (r.failure.empty())
			r.failure = camera_->error();
		camera_->request(0, src.memory);
		display_.reset();
		return r;
	}
	// Mapped once, as an application would, not at every frame.
	std::vector<std::unique_ptr<MMap>> maps;
	for (const UniqueFd &b : bufs)
		maps.push_back(std::make_unique<MMap>(b.get(), fmt_.size, PROT_READ));
	const auto t0 = std::chrono::steady_clock::now();
	int prev = -1;
	for (uint32_t f = 0; f < frames; f++) {
		const int i = camera_->dequeue();
		if (i < 0 || display_->show(fbs[i])) {
			r.failure = i < 0 ? camera_->error() : display_->error();
			break;
		}
		r.shown++;
		CpuAccess cpu(bufs[i].get(), DMA_BUF_SYNC_READ);
		const FrameView captured{{maps[i]->data(), fmt_.size}, fmt_.width,
					 fmt_.height, fmt_.pitch};
		const FrameView shown{display_->readback(), fmt_.width,
				      fmt_.height, display_->readback_pitch()};
		const auto match = compare_rgb(captured, shown);
		r.verified += match.verified();
		if (sheet && f % (frames / 4 + 1) == 0 &&
		    !sheet->add(captured, shown, match.verified()))
			r.failure = "contact sheet: inconsistent frame";
		// The frame shown before this one is off the screen now.
		if (prev >= 0 && camera_->queue(prev, bufs[prev].get(), fmt_.size)) {
			r.failure = camera_->error();
			break;
		}
		prev = i;
	}
	const std::chrono::duration<double> dt =
		std::chrono::steady_clock::now() - t0;
	r.fps = r.shown / dt.count();
	camera_->stream(false);
	camera_->request(0, src.memory);
	display_.reset();
	return r;
}

} // namespace

namespace {

// DMA-API debugging (the debug kernels) reports a mapping past a device's
// segment limit, which the stock heaps make (below).
bool dma_api_debug()
{
	return ::access("/sys/kernel/debug/dma-api", F_OK) == 0;
}

bool cenalloc_has_backend(Cenalloc &cen, const char *name)
{
	std::vector<cenalloc_backend_info> b;
	cen.query(&b);
	return std::any_of(b.begin(), b.end(), [name](const auto &x) {
		return !std::strcmp(x.name, name);
	});
}

// The contact sheet of the run that made it, where the demo collects it.
void write_sheet(const cenalloc::example::ContactSheet &sheet)
{
	const char *dir = std::getenv("CENTEST_FILES");
	const std::string path = std::string(dir ? dir : "/tmp") +
				 "/pipeline-contact-sheet.png";
	const std::vector<uint8_t> png = sheet.png();
	std::ofstream(path, std::ios::binary)
		.write(reinterpret_cast<const char *>(png.data()),
		       static_cast<std::streamsize>(png.size()));
	std::cout << "demo: contact sheet (captured | read back): " << path
		  << ", " << png.size() << " bytes\n";
}

} // namespace

// An application that never names a device: frames from the cenalloc
// heap, with no hints, into vivid and vkms in either order.  1920x1080
// XRGB (8.3 MB) must be one contiguous chunk below 4 GiB for vivid: where
// cenalloc has CMA or a carveout it gets one; where it has only the buddy
// allocator (4 MiB at most on x86) cenalloc refuses it and says why.
// 1280x720 (3.7 MB) is one buddy chunk: placed for vkms alone in the
// display-first order, and still within vivid's reach when vivid
// attaches.
class PipelineOrders : public Pipeline,
		       public testing::WithParamInterface<Order> {
protected:
	void SetUp() override
	{
		Pipeline::SetUp();
		if (!IsSkipped() && !HasFatalFailure()) {
			ASSERT_TRUE(cen_) << "cenalloc.ko not loaded";
		}
	}

	void report(Order order, const Outcome &r)
	{
		for (size_t i = 0; i < r.decisions.size(); i++)
			std::cout << "demo: " << order_name(order) << ", buffer "
				  << i << ": allocated: " << r.decisions[i].first
				  << "; then: " << r.decisions[i].second << "\n";
		std::cout << "demo: " << order_name(order) << ", " << fmt_.width
			  << "x" << fmt_.height << " XRGB from the cenalloc heap: "
			  << r.shown << " frames shown, " << r.verified
			  << " read back intact, " << r.fps << " fps\n";
	}
};

TEST_P(PipelineOrders, FullHdWhereCenallocHasCmaOrACarveout)
{
	const Order order = GetParam();
	set_format(1920, 1080);
	const Outcome r = run(heap(kCenallocHeapPath), order, kFrames);
	if (!cenalloc_has_backend(*cen_, "cma") &&
	    !cenalloc_has_backend(*cen_, "carveout")) {
		EXPECT_EQ(r.shown, 0U);
		EXPECT_NE(r.failure.find("cannot back " + std::to_string(fmt_.size)),
			  std::string::npos) << r.failure;
		EXPECT_NE(r.failure.find("contig: needs one contiguous chunk"),
			  std::string::npos) << r.failure;
		std::cout << "demo: " << order_name(order) << ", 1920x1080 XRGB ("
			  << fmt_.size << " bytes), no CMA, no carveout: "
			  << r.failure << "\n";
		return;
	}
	ASSERT_EQ(r.failure, "") << order_name(order);
	EXPECT_EQ(r.shown, kFrames);
	EXPECT_EQ(r.verified, r.shown) << "frames whose readback differs";
	report(order, r);
}

TEST_P(PipelineOrders, HdFromTheBuddyAllocator)
{
	const Order order = GetParam();
	set_format(1280, 720);
	const Outcome r = run(heap(kCenallocHeapPath), order, kFrames);
	ASSERT_EQ(r.failure, "") << order_name(order);
	EXPECT_EQ(r.shown, kFrames);
	EXPECT_EQ(r.verified, r.shown) << "frames whose readback differs";
	for (const auto &[first, second] : r.decisions) {
		// Allocated once, contiguous, at the first device's map: at
		// import up to 6.12; since 6.18 vkms imports without mapping
		// and vivid's map allocates for both.
		const bool at_first = first.rfind("contig,", 0) == 0;
		EXPECT_TRUE(at_first || second.rfind("contig,", 0) == 0)
			<< first << "; then " << second;
		EXPECT_EQ(second.find("mov"), std::string::npos) << second;
		// Placed for vkms alone, where vivid can reach it.
		if (at_first && order == Order::display_first) {
			EXPECT_NE(first.find("placed at or below 0xffffffff"),
				  std::string::npos) << first;
		}
	}
	report(order, r);
}

INSTANTIATE_TEST_SUITE_P(, PipelineOrders,
			 testing::Values(Order::camera_first,
					 Order::display_first),
			 [](const auto &info) {
				 return info.param == Order::camera_first ?
						"CameraFirst" : "DisplayFirst";
			 });

// The stock system heap used the same way: vivid refuses its scattered
// pages, whichever device sees them first.  Display first only without
// DMA-API debugging: vkms maps the heap's 1 MiB chunks as they are, past
// its 64 KiB segment limit, and that report would fail the run.
TEST_F(Pipeline, TheSystemHeapIsRefused)
{
	if (::access(kSystemHeapPath, F_OK))
		GTEST_SKIP() << "no " << kSystemHeapPath
			     << ": this kernel has no dma-buf heaps";
	set_format(1280, 720);
	std::vector<Order> orders{Order::camera_first};
	if (!dma_api_debug())
		orders.push_back(Order::display_first);
	for (const Order order : orders) {
		const Outcome r = run(heap(kSystemHeapPath), order, kFrames);
		EXPECT_NE(r.failure.find("camera: VIDIOC_QBUF"), std::string::npos)
			<< order_name(order) << ": " << r.failure;
		std::cout << "demo: " << order_name(order) << ", "
			  << kSystemHeapPath << ": " << r.failure << "\n";
	}
}

// The frame rate of the same loop on allocators chosen by hand for this
// camera (the kernel's CMA heap where it has one, and the camera's own
// buffers), next to cenalloc's, measured in the same run; and the
// contact sheet of cenalloc's frames.
TEST_F(Pipeline, FrameRateNextToHandChosenAllocators)
{
	ASSERT_TRUE(cen_) << "cenalloc.ko not loaded";
	// Both hand-chosen allocators give these devices one segment of the
	// whole frame, past the 64 KiB their dma_parms allow (the CMA heap
	// and vb2-dma-contig's export map without splitting): DMA-API
	// debugging reports that, and the reports would fail the run.
	if (dma_api_debug())
		GTEST_SKIP() << "DMA-API debugging is on: the hand-chosen "
				"allocators map past the devices' segment limit "
				"(their bug, reported); measured on stock kernels";
	const bool cma = cenalloc_has_backend(*cen_, "cma");
	std::cout << "demo: frame rate at " << (cma ? "1920x1080" : "1280x720")
		  << (cma ? " (CMA)" : " (no CMA: 1920x1080 cannot be contiguous)")
		  << ", display first\n";
	set_format(cma ? 1920 : 1280, cma ? 1080 : 720);
	std::vector<Source> sources{heap(kCenallocHeapPath)};
	if (const std::string c = cma_heap(); !c.empty())
		sources.push_back(heap(c));
	sources.push_back(cameras_own(camera_.get()));
	// Rounds alternate the allocators, so that what else the machine
	// does weighs on each alike; the median of each is reported.
	constexpr uint32_t frames = kFrames, rounds = 3;
	std::vector<std::vector<double>> fps(sources.size());
	for (uint32_t round = 0; round < rounds; round++) {
		for (size_t i = 0; i < sources.size(); i++) {
			cenalloc::example::ContactSheet sheet(320);
			const bool pictured = round == 0 && i == 0;
			const Outcome r = run(sources[i], Order::display_first,
					      frames, pictured ? &sheet : nullptr);
			ASSERT_EQ(r.failure, "") << sources[i].name;
			EXPECT_EQ(r.verified, frames) << sources[i].name;
			if (pictured)
				write_sheet(sheet);
			fps[i].push_back(r.fps);
		}
	}
	auto median = [](std::vector<double> v) {
		std::sort(v.begin(), v.end());
		return v[v.size() / 2];
	};
	const double cen = median(fps[0]);
	for (size_t i = 0; i < sources.size(); i++)
		std::cout << "demo: fps, " << fmt_.width << "x" << fmt_.height
			  << ", median of " << rounds << " runs of " << frames
			  << " frames: " << sources[i].name << " "
			  << median(fps[i]) << " (" << median(fps[i]) / cen
			  << "x cenalloc's)\n";
}

// The same pipeline through libcenalloc: the example program an engineer
// would copy (userspace/examples/camera-to-display.cpp), display first.
TEST_F(Pipeline, TheLibcenallocExampleShowsEveryFrame)
{
	const std::string prog = "/tests/camera-to-display";
	ASSERT_EQ(::access(prog.c_str(), X_OK), 0) << prog << " not packed";
	const std::string cmd = prog + " --display-first --size 1280x720 --frames 8 2>&1";
	std::unique_ptr<FILE, int (*)(FILE *)> p(::popen(cmd.c_str(), "r"),
						 ::pclose);
	ASSERT_TRUE(p) << cmd;
	std::string out;
	char line[512];
	while (std::fgets(line, sizeof(line), p.get())) {
		out += line;
		std::cout << "demo: libcenalloc example: " << line;
	}
	const int status = ::pclose(p.release());
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		<< "status " << status << ":\n" << out;
	EXPECT_NE(out.find("8 frames of 1280x720 shown, 8 read back intact"),
		  std::string::npos) << out;
	// Where vkms maps at import (up to 6.12) it allocates, within
	// vivid's reach; since 6.18 it imports without mapping.
	if (out.find("display imported it: attached vkms") == std::string::npos) {
		EXPECT_NE(out.find("placed at or below 0xffffffff"),
			  std::string::npos) << out;
	}
}
