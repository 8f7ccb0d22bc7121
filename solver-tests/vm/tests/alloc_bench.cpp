// SPDX-License-Identifier: GPL-2.0
//
// Allocation against the stock dma-heaps, in one VM run (issue 12): for
// each size and each path below, samples alternate between cenalloc's heap
// and the anchors, the system heap and a CMA heap where the kernel has
// one.  Each path is what a program or a driver does before its first
// frame:
//
//   alloc-to-written  ALLOC through the dma-heap ABI, mmap, SYNC start, one
//                     write per page, SYNC end: the CPU fills the buffer;
//   alloc-to-map      ALLOC, attach to a device, map: the device fills it
//                     (cenalloc allocates at that map);
//   cycle             ALLOC, attach, map, unmap, detach, close: a buffer's
//                     whole life when nobody touches its bytes.
//
// The device takes any pages (declared scatter-gather behind an IOMMU, a
// GPU), so that every heap suits it.  Prints the medians, the ratio
// cenalloc / anchor and each step's medians (where the time goes) as
// "bench:" lines, which bench-plot.sh parses; asserts only that every
// sample's bytes read back or its mapping passed the device's checks.
#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.hpp"
#include "cenalloc.hpp"
#include "importer.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr const char *kHeapDir = "/dev/dma_heap";
constexpr std::array<uint64_t, 6> kSizes = {4 * kKiB, 64 * kKiB, kMiB,
					    4 * kMiB, 16 * kMiB, 64 * kMiB};

// Small buffers are cheap and noisy under TCG (a timer tick is a sizeable
// part of a 4 KiB sample; 31 samples left medians 20 % apart between
// runs): more samples there.
int samples_for(uint64_t len)
{
	return len <= 64 * kKiB ? 101 : len <= kMiB ? 31 : len <= 16 * kMiB ? 15 : 9;
}

std::string size_name(uint64_t len)
{
	return len >= kMiB ? std::to_string(len / kMiB) + " MiB" :
			     std::to_string(len / kKiB) + " KiB";
}

// ---- the anchors ---------------------------------------------------------

std::vector<std::string> heap_names()
{
	std::vector<std::string> names;
	std::error_code ec;
	for (const auto &e : std::filesystem::directory_iterator(kHeapDir, ec))
		names.push_back(e.path().filename());
	std::sort(names.begin(), names.end());
	return names;
}

// The CMA heap's name, "" without one.  The heap is named after the CMA
// area it serves: "default_cma_region" (the default area, cma= on the
// command line, on recent kernels, which may also list it under the
// area's own name), "reserved" (that area's name), "linux,cma" (a device
// tree's); any other name with "cma" in it is taken too.
std::string cma_heap(const std::vector<std::string> &names)
{
	for (const char *known : {"default_cma_region", "reserved", "linux,cma"})
		if (std::find(names.begin(), names.end(), known) != names.end())
			return known;
	for (const std::string &n : names)
		if (n.find("cma") != std::string::npos)
			return n;
	return "";
}

// Why a kernel has no CMA heap, in its configuration's words.
std::string why_no_cma(const std::vector<std::string> &names)
{
	std::ostringstream s;
	utsname u{};
	::uname(&u);
	s << kHeapDir << " has";
	for (const std::string &n : names)
		s << " " << n;
	s << "; " << u.release << ": ";
	switch (kernel_config("DMABUF_HEAPS_CMA")) {
	case -1: s << "its configuration is not at hand"; break;
	case 0: s << "CONFIG_DMABUF_HEAPS_CMA is not set"; break;
	default: s << "CONFIG_DMABUF_HEAPS_CMA is set, yet no heap is named for CMA";
	}
	s << ", CONFIG_DMA_CMA " << (kernel_config("DMA_CMA") == 1 ? "set" : "not set");
	return s.str();
}

// ---- one sample of each path ---------------------------------------------

using Clock = std::chrono::steady_clock;
using Steps = std::vector<double>; // nanoseconds of each step

// The times of a sample's steps: lap() after each.
class Laps {
public:
	void lap()
	{
		const auto t = Clock::now();
		ns_.push_back(std::chrono::duration<double, std::nano>(t - last_)
				      .count());
		last_ = t;
	}
	Steps take() { return std::move(ns_); }

private:
	Clock::time_point last_ = Clock::now();
	Steps ns_;
};

void sync(int fd, uint64_t flags)
{
	dma_buf_sync s{.flags = flags};
	check(xioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC");
}

// ALLOC to the end of the first write of every page.  Unmapping and
// freeing are outside the measure.
Steps written(int heap, uint64_t len, uint8_t tag)
{
	const long page = ::sysconf(_SC_PAGESIZE);
	Laps t;
	UniqueFd buf = alloc(heap, len);
	t.lap();
	MMap m(buf.get(), len);
	volatile uint8_t *bytes = m.data();
	t.lap();
	sync(buf.get(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	t.lap();
	for (uint64_t off = 0; off < len; off += page)
		bytes[off] = tag;
	t.lap();
	sync(buf.get(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	t.lap();
	EXPECT_EQ(bytes[0], tag);
	EXPECT_EQ(bytes[len - page], tag);
	return t.take();
}

// A buffer of @heap a device has mapped; declared so that the mapping
// goes first, then the attachment, then the buffer.
struct DeviceMapped {
	UniqueFd buf;
	Attachment att;
	Mapping map;
};

// ALLOC, attach and the first map, each a lap of @t.
DeviceMapped map_fresh(Device &dev, int heap, uint64_t len, Laps &t)
{
	DeviceMapped d;
	d.buf = alloc(heap, len);
	t.lap();
	d.att = dev.attach(d.buf.get());
	t.lap();
	d.map = d.att.map();
	t.lap();
	EXPECT_TRUE(d.map.pass()) << d.map.describe();
	EXPECT_EQ(d.map.report().r.total, len);
	return d;
}

// ALLOC to the device's first mapping.  Unmapping, detaching and freeing
// are outside the measure.
Steps mapped(Device &dev, int heap, uint64_t len)
{
	Laps t;
	DeviceMapped d = map_fresh(dev, heap, len, t);
	return t.take();
}

// The whole life of a buffer a device maps once; the last step frees it
// (the importer let go of its reference at detach).
Steps cycle(Device &dev, int heap, uint64_t len)
{
	Laps t;
	DeviceMapped d = map_fresh(dev, heap, len, t);
	check(d.map.unmap(), "CEN_IMP_IOC_UNMAP");
	t.lap();
	check(d.att.detach(), "CEN_IMP_IOC_DETACH");
	t.lap();
	d.buf.reset();
	t.lap();
	return t.take();
}

// ---- comparing heaps -----------------------------------------------------

struct Path {
	const char *name;
	std::vector<const char *> steps;
	std::function<Steps(int heap, uint64_t len, uint8_t tag)> sample;
};

struct Heap {
	std::string label; // as the lines print it
	UniqueFd fd;
};

double total(const Steps &s)
{
	double sum = 0;

	for (double v : s)
		sum += v;
	return sum;
}

// Medians of the totals and of each step over @samples.
struct Medians {
	double total;
	Steps steps;
};

Medians medians(const std::vector<Steps> &samples)
{
	Medians m{};
	std::vector<double> totals;
	for (const Steps &s : samples)
		totals.push_back(total(s));
	m.total = median(totals);
	for (size_t i = 0; i < samples.front().size(); i++) {
		std::vector<double> v;
		for (const Steps &s : samples)
			v.push_back(s[i]);
		m.steps.push_back(median(v));
	}
	return m;
}

void print(const Path &path, uint64_t len, int n, const Medians &cen,
	   const std::string &anchor, const Medians &a)
{
	const bool mib = len >= kMiB;
	std::cout << std::fixed << std::setprecision(1) << "bench: "
		  << path.name << " " << std::setw(5)
		  << (mib ? len / kMiB : len / kKiB) << (mib ? " MiB" : " KiB")
		  << ": cenalloc " << cen.total / 1e3 << " us, " << anchor << " "
		  << a.total / 1e3 << " us, ratio " << std::setprecision(2)
		  << cen.total / a.total << " (medians of " << n
		  << ", alternating)\n";
	std::cout << std::setprecision(1) << "bench: steps " << path.name << " "
		  << size_name(len) << " (us, cenalloc/" << anchor << "):";
	for (size_t i = 0; i < path.steps.size(); i++)
		std::cout << " " << path.steps[i] << " " << cen.steps[i] / 1e3
			  << "/" << a.steps[i] / 1e3;
	std::cout << "\n";
}

// @path at @len on every heap in turn, cenalloc first, after one
// unmeasured sample each (first-touch costs of the process and of slab
// caches); one ratio line and one steps line per anchor.
void compare(const Path &path, const std::vector<Heap> &heaps, uint64_t len)
{
	const int n = samples_for(len);
	std::vector<std::vector<Steps>> s(heaps.size());
	for (const Heap &h : heaps)
		path.sample(h.fd.get(), len, 0xa5);
	for (int i = 0; i < n; i++)
		for (size_t h = 0; h < heaps.size(); h++)
			s[h].push_back(path.sample(heaps[h].fd.get(), len,
						   static_cast<uint8_t>(i + 1)));
	const Medians cen = medians(s[0]);
	for (size_t h = 1; h < heaps.size(); h++)
		print(path, len, n, cen, heaps[h].label, medians(s[h]));
}

class AllocBench : public ModuleTest {
protected:
	void SetUp() override
	{
		ModuleTest::SetUp();
		if (IsSkipped())
			return;
		add("cenalloc", kCenallocHeapPath);
		if (!add("system heap", kSystemHeapPath))
			GTEST_SKIP() << kSystemHeapPath
				     << " missing: no anchor on this kernel";
		const std::string cma = cma_heap(heap_names());
		if (!cma.empty())
			add("cma heap", std::string(kHeapDir) + "/" + cma);
		dev_ = imp_->create_device(iommu("bench-gpu"));
	}

	bool add(const std::string &label, const std::string &path)
	{
		UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
		if (!fd)
			return false;
		heaps_.push_back(Heap{label, std::move(fd)});
		return true;
	}

	void run(const Path &path)
	{
		for (uint64_t len : kSizes)
			compare(path, heaps_, len);
	}

	std::vector<Heap> heaps_;
	Device dev_;
};

// Which anchors this kernel has, first; a CMA heap is rare on stock x86
// kernels, and its absence is said with the configuration's reason.
TEST_F(AllocBench, Anchors)
{
	const std::vector<std::string> names = heap_names();
	const std::string cma = cma_heap(names);
	std::cout << "bench: heaps: " << kCenallocHeapPath << " is "
		  << (real_dma_heap() ? "a real dma-heap" : "the misc-device imitation")
		  << ", anchors:";
	for (size_t h = 1; h < heaps_.size(); h++)
		std::cout << " " << heaps_[h].label;
	std::cout << "\n";
	if (cma.empty())
		std::cout << "bench: cma anchor: absent (" << why_no_cma(names)
			  << ")\n";
	else
		std::cout << "bench: cma anchor: " << kHeapDir << "/" << cma
			  << "\n";
	EXPECT_GE(heaps_.size(), 2U);
}

// How many physically contiguous runs cenalloc's unconstrained buffers
// get (what a device without an IOMMU would see as segments): few, since
// chunks are taken at the highest order the buddy has free.  Not a time.
TEST_F(AllocBench, RunsOfUnconstrainedBuffers)
{
	std::cout << "bench: runs of cenalloc buffers after first CPU access:";
	for (uint64_t len : kSizes) {
		UniqueFd buf = alloc(heaps_[0].fd.get(), len);
		sync(buf.get(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		sync(buf.get(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		const uint32_t runs = cen_->info(buf.get()).info.nr_segments;
		std::cout << " " << size_name(len) << " " << runs;
		if (len == 64 * kMiB)
			EXPECT_LE(runs, 16U) << "64 MiB in too many runs";
	}
	std::cout << "\n";
}

// The kernel's own time of the backend's allocations (tracepoint
// cenalloc_allocate) in @trace, summed per buffer id: a plan that fails
// and falls back counts too.
std::map<uint64_t, double> traced_allocation_ns(const std::string &trace)
{
	std::istringstream in(trace);
	std::map<uint64_t, double> ns;
	std::string line;

	while (std::getline(in, line)) {
		const size_t at = line.find("cenalloc_allocate: buffer=");
		const size_t n = line.find(" ns=", at);
		if (at == std::string::npos || n == std::string::npos)
			continue;
		const uint64_t id = std::stoull(line.substr(at + 26));
		ns[id] += std::stod(line.substr(n + 4));
	}
	return ns;
}

// Where a buffer's first CPU access spends its time: SYNC start as the
// program sees it, and within it the backend's allocation as the kernel
// timed it (pages, their clearing, the arrays).  The rest is cenalloc's
// own: solving for the members, the backing's bookkeeping, filling the
// caller's mapping.  The tracepoint's only cost is its two clock reads;
// the trace is read once at the end (clearing it per sample disturbed
// the samples).
TEST_F(AllocBench, WhatTheFirstAccessSpends)
{
	CenallocTrace tr("cenalloc_allocate");
	if (!tr.on())
		GTEST_SKIP() << tr.enable_path() << ": no tracing here";
	const int cen = heaps_[0].fd.get();
	std::map<uint64_t, std::vector<std::pair<uint64_t, double>>> samples;
	for (uint64_t len : {4 * kKiB, 64 * kKiB, 4 * kMiB}) {
		for (int i = 0; i < samples_for(len); i++) {
			UniqueFd buf = alloc(cen, len);
			MMap m(buf.get(), len);
			Laps t;
			sync(buf.get(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
			t.lap();
			sync(buf.get(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
			samples[len].emplace_back(cen_->info(buf.get()).info.id,
						  t.take()[0]);
		}
	}
	tr.stop();
	const std::map<uint64_t, double> traced = traced_allocation_ns(tr.text());
	for (const auto &[len, v] : samples) {
		std::vector<double> sync_ns, alloc_ns;
		for (const auto &[id, ns] : v) {
			const auto it = traced.find(id);
			ASSERT_NE(it, traced.end()) << "no cenalloc_allocate for " << id;
			sync_ns.push_back(ns);
			alloc_ns.push_back(it->second);
		}
		const double s = median(sync_ns), a = median(alloc_ns);
		std::cout << std::fixed << std::setprecision(1)
			  << "bench: first access " << size_name(len)
			  << ": SYNC start " << s / 1e3
			  << " us, of which the backend's allocation " << a / 1e3
			  << " us, cenalloc's own (solve, bookkeeping, filling the mapping) "
			  << (s - a) / 1e3 << " us (medians of " << v.size()
			  << ")\n";
	}
}

TEST_F(AllocBench, AllocToWrittenMapping)
{
	run(Path{"alloc-to-written",
		 {"ALLOC", "mmap", "SYNC start", "writes", "SYNC end"},
		 written});
}

TEST_F(AllocBench, AllocToFirstDeviceMap)
{
	run(Path{"alloc-to-map", {"ALLOC", "attach", "map"},
		 [this](int heap, uint64_t len, uint8_t) {
			 return mapped(dev_, heap, len);
		 }});
}

TEST_F(AllocBench, WholeCycle)
{
	run(Path{"cycle",
		 {"ALLOC", "attach", "map", "unmap", "detach", "close"},
		 [this](int heap, uint64_t len, uint8_t) {
			 return cycle(dev_, heap, len);
		 }});
}

} // namespace
