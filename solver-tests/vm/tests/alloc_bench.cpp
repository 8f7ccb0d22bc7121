// SPDX-License-Identifier: GPL-2.0
//
// Allocation against the system dma-heap, in one VM run: for each size,
// samples alternate between cenalloc's heap and the stock system heap, and
// each sample is what a program does before its first frame: ALLOC through
// the dma-heap ABI, mmap, DMA_BUF_IOCTL_SYNC start, one write per page,
// SYNC end.  Prints medians and the ratio, and each step's median (where
// the time goes), as "bench:" lines; asserts only
// that every sample got a buffer whose bytes read back.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cenalloc.hpp"
#include "importer.hpp"
#include "module_test.hpp"

using namespace cen::vm;

namespace {

constexpr int kSamples = 9;
constexpr uint64_t kKiB = 1024;

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

void sync(int fd, uint64_t flags)
{
	dma_buf_sync s{.flags = flags};
	check(xioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC");
}

// The steps of one sample, in the order a program takes them.
enum Step { kAlloc, kMmap, kSyncStart, kWrite, kSyncEnd, kSteps };
constexpr const char *kStepNames[kSteps] = {"ALLOC", "mmap", "SYNC start",
					    "writes", "SYNC end"};
using Times = std::array<double, kSteps>;

// One sample on an open heap: nanoseconds of each step from ALLOC to the
// end of the first write of every page.  Freeing is outside the measure.
Times sample_ns(int heap, uint64_t len, uint8_t tag)
{
	const long page = ::sysconf(_SC_PAGESIZE);
	dma_heap_allocation_data a{};
	std::array<std::chrono::steady_clock::time_point, kSteps + 1> t;
	a.len = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;

	t[0] = std::chrono::steady_clock::now();
	check(xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a), "DMA_HEAP_IOCTL_ALLOC");
	UniqueFd buf(static_cast<int>(a.fd));
	t[1] = std::chrono::steady_clock::now();
	void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 buf.get(), 0);
	if (p == MAP_FAILED)
		throw Error(errno, "mmap");
	auto *bytes = static_cast<volatile uint8_t *>(p);
	t[2] = std::chrono::steady_clock::now();
	sync(buf.get(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	t[3] = std::chrono::steady_clock::now();
	for (uint64_t off = 0; off < len; off += page)
		bytes[off] = tag;
	t[4] = std::chrono::steady_clock::now();
	sync(buf.get(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	t[5] = std::chrono::steady_clock::now();

	EXPECT_EQ(bytes[len - page], tag);
	::munmap(p, len);
	Times out{};
	for (int s = 0; s < kSteps; s++)
		out[s] = std::chrono::duration<double, std::nano>(t[s + 1] - t[s])
				 .count();
	return out;
}

double total(const Times &t)
{
	double sum = 0;

	for (double v : t)
		sum += v;
	return sum;
}

// Medians of each step over @samples.
Times step_medians(const std::vector<Times> &samples)
{
	Times out{};

	for (int s = 0; s < kSteps; s++) {
		std::vector<double> v;
		for (const Times &t : samples)
			v.push_back(t[s]);
		out[s] = median(v);
	}
	return out;
}

class AllocBench : public testing::Test {
protected:
	void SetUp() override
	{
		cen_ = UniqueFd(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
		sys_ = UniqueFd(::open(kSystemHeapPath, O_RDONLY | O_CLOEXEC));
		if (!cen_)
			GTEST_SKIP() << kCenallocHeapPath << " missing";
		if (!sys_)
			GTEST_SKIP() << kSystemHeapPath
				     << " missing: no anchor on this kernel";
	}

	void report(uint64_t len)
	{
		std::vector<double> cen, sys;
		std::vector<Times> cen_steps, sys_steps;
		for (int i = 0; i < kSamples; i++) {
			cen_steps.push_back(sample_ns(cen_.get(), len, i + 1));
			sys_steps.push_back(sample_ns(sys_.get(), len, i + 1));
			cen.push_back(total(cen_steps.back()));
			sys.push_back(total(sys_steps.back()));
		}
		const double c = median(cen), s = median(sys);
		print_steps(len, step_medians(cen_steps),
			    step_medians(sys_steps));
		std::cout << std::fixed << std::setprecision(1)
			  << "bench: alloc-to-written " << std::setw(5)
			  << (len >= kMiB ? len / kMiB : len / kKiB)
			  << (len >= kMiB ? " MiB" : " KiB") << ": cenalloc "
			  << c / 1e3 << " us, system heap " << s / 1e3
			  << " us, ratio " << std::setprecision(2) << c / s
			  << " (medians of " << kSamples << ", alternating)\n";
	}

	// Where the time goes: each step's median, cenalloc / system heap.
	static void print_steps(uint64_t len, const Times &c, const Times &s)
	{
		std::cout << std::fixed << std::setprecision(1)
			  << "bench: steps " << len / kKiB << " KiB (us, cenalloc/system):";
		for (int i = 0; i < kSteps; i++)
			std::cout << " " << kStepNames[i] << " " << c[i] / 1e3
				  << "/" << s[i] / 1e3;
		std::cout << "\n";
	}

	UniqueFd cen_, sys_;
};

TEST_F(AllocBench, AllocToWrittenMappingAgainstSystemHeap)
{
	for (uint64_t len : {4 * kKiB, 64 * kKiB, kMiB, 4 * kMiB, 16 * kMiB,
			     64 * kMiB})
		report(len);
}

} // namespace
