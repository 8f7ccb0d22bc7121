// SPDX-License-Identifier: GPL-2.0
//
// What a buffer with no memory yet costs the kernel (issue 12: at most
// 1 KiB and no pages): 2000 cenalloc buffers made through the dma-heap ABI
// and never mapped, next to 2000 4 KiB buffers of the system heap.  The
// dma-buf core's share (struct dma_buf, its file, dentry and inode) is
// the same for both; the system heap adds a page and its scatterlist.
// Per buffer: the growth of /proc/meminfo's Slab (and SUnreclaim), the
// fall of free memory beyond it (pages: MemFree and the per-CPU lists),
// and the slab caches that grew most (/proc/slabinfo).  Prints "bench: empty buffer:" lines; asserts only
// that every buffer was made and that cenalloc's have no memory.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.hpp"
#include "cenalloc.hpp"
#include "importer.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr int kBuffers = 2000;
// Caches that grew by less per buffer are not listed.
constexpr double kListedBytes = 16;

// Bytes, from /proc/meminfo; free includes the pages on per-CPU lists.
struct Mem {
	int64_t free = 0, slab = 0, unreclaimable = 0;
};

// Free pages on the per-CPU lists (/proc/zoneinfo's pagesets), which
// MemFree leaves out: the lists refill and drain in batches of dozens of
// pages, which would blur one page per buffer.
int64_t pcp_pages()
{
	std::ifstream f("/proc/zoneinfo");
	std::string key;
	int64_t n = 0, v;
	while (f >> key)
		if (key == "count:" && f >> v)
			n += v;
	return n;
}

// The per-CPU parts of the counters folded into the totals first: without
// it MemFree may be off by megabytes.
Mem meminfo()
{
	write_file("/proc/sys/vm/stat_refresh", "1\n");
	std::ifstream f("/proc/meminfo");
	Mem m;
	std::string key, unit;
	int64_t kib;
	while (f >> key >> kib && std::getline(f, unit)) {
		if (key == "MemFree:")
			m.free = kib * 1024;
		else if (key == "Slab:")
			m.slab = kib * 1024;
		else if (key == "SUnreclaim:")
			m.unreclaimable = kib * 1024;
	}
	m.free += pcp_pages() * ::sysconf(_SC_PAGESIZE);
	return m;
}

// Bytes of objects in use per slab cache (active objects x object size;
// caches merged by SLUB show under one name); empty without slabinfo.
std::map<std::string, int64_t> slab_objects()
{
	std::ifstream f("/proc/slabinfo");
	std::map<std::string, int64_t> m;
	std::string line;
	while (std::getline(f, line)) {
		std::istringstream s(line);
		std::string name;
		int64_t active, total, size;
		if (line[0] != '#' && s >> name >> active >> total >> size)
			m[name] = active * size;
	}
	return m;
}

// Wait until what was closed is gone: files, dentries and inodes are
// freed after an RCU grace period.  Slab steady for half a second.
void settle()
{
	int64_t last = meminfo().slab;
	for (int i = 0; i < 20; i++) {
		::usleep(500 * 1000);
		const int64_t now = meminfo().slab;
		if (std::llabs(now - last) < static_cast<int64_t>(64 * kKiB))
			return;
		last = now;
	}
}

// Kernel memory per buffer, in bytes.
struct Footprint {
	double slab, unreclaimable, pages;
	std::vector<std::pair<std::string, double>> grew; // most first
};

// What kBuffers buffers of @len from @heap cost while they live in @bufs.
Footprint measure(int heap, uint64_t len, std::vector<UniqueFd> *bufs)
{
	settle();
	const auto caches0 = slab_objects();
	const Mem m0 = meminfo();
	for (int i = 0; i < kBuffers; i++)
		bufs->push_back(alloc(heap, len));
	const Mem m1 = meminfo();
	const auto caches1 = slab_objects();

	Footprint f{};
	f.slab = double(m1.slab - m0.slab) / kBuffers;
	f.unreclaimable = double(m1.unreclaimable - m0.unreclaimable) / kBuffers;
	f.pages = double(m0.free - m1.free - (m1.slab - m0.slab)) / kBuffers;
	for (const auto &[name, bytes] : caches1) {
		auto it = caches0.find(name);
		const double d = double(bytes - (it == caches0.end() ? 0 : it->second)) /
				 kBuffers;
		if (d >= kListedBytes)
			f.grew.emplace_back(name, d);
	}
	std::sort(f.grew.begin(), f.grew.end(),
		  [](const auto &a, const auto &b) { return a.second > b.second; });
	return f;
}

void print(const std::string &what, const Footprint &f)
{
	std::cout << std::fixed << std::setprecision(0)
		  << "bench: empty buffer: " << what << ", " << kBuffers
		  << " buffers: slab " << f.slab << " B per buffer (unreclaimable "
		  << f.unreclaimable << " B), pages " << std::setprecision(2)
		  << f.pages / ::sysconf(_SC_PAGESIZE) << " per buffer ("
		  << std::setprecision(0) << f.pages
		  << " B of free memory beyond slab)";
	if (!f.grew.empty())
		std::cout << "; slab objects that grew (B per buffer):";
	for (size_t i = 0; i < f.grew.size() && i < 5; i++)
		std::cout << " " << f.grew[i].first << " " << f.grew[i].second;
	std::cout << "\n";
}

class EmptyBufferBench : public ModuleTest {
protected:
	void SetUp() override
	{
		ModuleTest::SetUp();
		if (IsSkipped())
			return;
		cen_heap_ = UniqueFd(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
		sys_heap_ = UniqueFd(::open(kSystemHeapPath, O_RDONLY | O_CLOEXEC));
		if (!cen_heap_)
			GTEST_SKIP() << kCenallocHeapPath << " missing";
		if (!sys_heap_)
			GTEST_SKIP() << kSystemHeapPath
				     << " missing: no anchor on this kernel";
		rlimit r{};
		::getrlimit(RLIMIT_NOFILE, &r);
		r.rlim_cur = std::max<rlim_t>(r.rlim_cur, 2 * kBuffers + 64);
		r.rlim_max = std::max(r.rlim_max, r.rlim_cur);
		check(::setrlimit(RLIMIT_NOFILE, &r) ? -errno : 0, "RLIMIT_NOFILE");
	}

	UniqueFd cen_heap_, sys_heap_;
};

TEST_F(EmptyBufferBench, NoMemoryYet)
{
	std::vector<UniqueFd> bufs;
	bufs.reserve(2 * kBuffers);
	// Unmeasured first round: the file table grows to its size and the
	// slab caches of both kinds of buffer get their first slabs.
	for (int i = 0; i < kBuffers; i++) {
		bufs.push_back(alloc(sys_heap_.get(), 4 * kKiB));
		bufs.push_back(alloc(cen_heap_.get(), 4 * kKiB));
	}
	bufs.clear();

	const Footprint cen = measure(cen_heap_.get(), 4 * kKiB, &bufs);
	ASSERT_EQ(bufs.size(), size_t(kBuffers));
	for (const UniqueFd *b : {&bufs.front(), &bufs.back()})
		EXPECT_FALSE(cen_->info(b->get()).backed());
	bufs.clear();
	const Footprint sys = measure(sys_heap_.get(), 4 * kKiB, &bufs);
	ASSERT_EQ(bufs.size(), size_t(kBuffers));
	bufs.clear();

	print("cenalloc, never mapped", cen);
	print("system heap 4 KiB", sys);
	std::cout << std::fixed << std::setprecision(0)
		  << "bench: empty buffer: cenalloc - system heap: slab "
		  << cen.slab - sys.slab << " B per buffer, free memory beyond slab "
		  << cen.pages - sys.pages << " B per buffer\n";
}

} // namespace
