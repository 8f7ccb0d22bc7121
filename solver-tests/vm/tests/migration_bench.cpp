// SPDX-License-Identifier: GPL-2.0
//
// Migration bandwidth against memcpy, in one VM run: a buffer the
// application filled (system pages above 4 GiB) moves when a 32-bit device
// attaches; the kernel's own measure of the move (INFO migration_ns,
// allocation, zap, copy and free included) against userspace memcpy of the
// same size between two populated buffers.  Next to it what zeroing
// costs, since the move's fresh pages are zeroed as they are allocated
// (Debian's kernels have init_on_alloc=1): the kernel's zeroing
// instruction over the same bytes in userspace, memset, and a system
// dma-heap allocation of the same size (pages zeroed, nothing copied).
// Prints medians and the ratios as "bench:" lines; asserts only that
// every run did move and every copy and zeroing reads back.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <sys/mman.h>

#include "bench.hpp"
#include "cenalloc.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr int kRuns = 7;

// Anonymous memory, populated up front so memcpy measures copying only.
class Anon {
public:
	explicit Anon(size_t len)
		: len_(len), p_(::mmap(nullptr, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				       -1, 0))
	{
		if (p_ == MAP_FAILED)
			throw Error(errno, "mmap anonymous");
		std::memset(p_, 1, len_);
	}
	Anon(const Anon &) = delete;
	Anon &operator=(const Anon &) = delete;
	~Anon() { ::munmap(p_, len_); }
	uint8_t *data() const { return static_cast<uint8_t *>(p_); }

private:
	size_t len_;
	void *p_;
};

double memcpy_ns(size_t len)
{
	Anon src(len), dst(len);
	std::vector<double> ns;
	for (int r = 0; r < kRuns; r++) {
		auto t0 = std::chrono::steady_clock::now();
		std::memcpy(dst.data(), src.data(), len);
		auto t1 = std::chrono::steady_clock::now();
		ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
		EXPECT_EQ(dst.data()[len - 1], src.data()[len - 1]);
	}
	return median(ns);
}

// How x86's clear_page zeroes a page where the CPU has ERMS (QEMU's -cpu
// max does): rep stosb.  Emulated by TCG the same way in userspace.
void kernel_zero(void *p, size_t len)
{
#if defined(__x86_64__)
	asm volatile("rep stosb" : "+D"(p), "+c"(len) : "a"(0) : "memory");
#else
	std::memset(p, 0, len);
#endif
}

// Median time of @zero over a populated buffer of @len.
double zero_ns(size_t len, void (*zero)(void *, size_t))
{
	Anon buf(len);
	std::vector<double> ns;
	for (int r = 0; r < kRuns; r++) {
		buf.data()[len - 1] = 1;
		auto t0 = std::chrono::steady_clock::now();
		zero(buf.data(), len);
		auto t1 = std::chrono::steady_clock::now();
		ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
		EXPECT_EQ(buf.data()[len - 1], 0);
	}
	return median(ns);
}

void user_memset(void *p, size_t len)
{
	std::memset(p, 0, len);
}

// Whether pages are zeroed as they are allocated: init_on_alloc= on the
// command line, else the kernel's default.
std::string init_on_alloc()
{
	const std::string cmdline = slurp("/proc/cmdline");
	for (const char *v : {"init_on_alloc=0", "init_on_alloc=1"})
		if (cmdline.find(v) != std::string::npos)
			return std::string(v) + " (command line)";
	switch (kernel_config("INIT_ON_ALLOC_DEFAULT_ON")) {
	case 1: return "init_on_alloc=1 (CONFIG_INIT_ON_ALLOC_DEFAULT_ON)";
	case 0: return "init_on_alloc=0 (the default)";
	default: return "init_on_alloc unknown";
	}
}

// Fresh zeroed memory of the same size from the system dma-heap: what a
// move's allocation costs at the least, here.
double heap_alloc_ns(size_t len)
{
	std::vector<double> ns;
	for (int r = 0; r < kRuns; r++) {
		auto t0 = std::chrono::steady_clock::now();
		UniqueFd buf = system_heap_alloc(len);
		auto t1 = std::chrono::steady_clock::now();
		EXPECT_TRUE(buf);
		ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
	}
	return median(ns);
}

class MigrationBench : public ModuleTest {
protected:
	// Median kernel-measured duration of moving a filled buffer of
	// @len when a device like @spec attaches.
	double migrate_ns(uint64_t len, const DeviceSpec &spec)
	{
		Device dev = imp_->create_device(spec);
		std::vector<double> ns;
		for (int r = 0; r < kRuns; r++) {
			UniqueFd buf = cen_->create(len, "bench");
			{
				MMap m(buf.get(), len);
				CpuAccess cpu(buf.get());
				std::memset(m.data(), r + 1, len);
			}
			Attachment a = dev.attach(buf.get());
			BufferInfo i = cen_->info(buf.get());
			EXPECT_EQ(i.info.migrations, 1U) << i.reason();
			ns.push_back(static_cast<double>(i.info.migration_ns));
			if (r == 0)
				std::cout << "bench: sample: "
					  << i.info.migration_reason << "\n";
		}
		return median(ns);
	}

	void report(const char *what, uint64_t len, const DeviceSpec &spec)
	{
		const double mig = migrate_ns(len, spec), cpy = memcpy_ns(len);
		const double heap = heap_alloc_ns(len);
		auto mibps = [&](double ns) { return len / (double)kMiB / (ns / 1e9); };
		std::cout << std::fixed << std::setprecision(0) << "bench: "
			  << what << " " << len / kMiB << " MiB: migration "
			  << mig / 1e3 << " us (" << mibps(mig)
			  << " MiB/s), memcpy " << cpy / 1e3 << " us ("
			  << mibps(cpy) << " MiB/s), system dma-heap alloc "
			  << heap / 1e3 << " us; ratio to memcpy "
			  << std::setprecision(2) << cpy / mig
			  << ", to heap alloc + memcpy " << (heap + cpy) / mig
			  << " (medians of " << kRuns << ")\n";
		report_zeroing(len, mig, cpy, heap);
	}

	// How much of a move of @mig ns is zeroing its new pages.
	static void report_zeroing(uint64_t len, double mig, double cpy,
				   double heap)
	{
		const double kz = zero_ns(len, kernel_zero);
		const double ms = zero_ns(len, user_memset);
		auto mibps = [&](double ns) { return len / (double)kMiB / (ns / 1e9); };
		std::cout << std::fixed << std::setprecision(0)
			  << "bench: zeroing " << len / kMiB
			  << " MiB: rep stosb (clear_page) " << kz / 1e3 << " us ("
			  << mibps(kz) << " MiB/s), memset " << ms / 1e3
			  << " us, memcpy " << cpy / 1e3
			  << " us, system dma-heap alloc (zeroed) " << heap / 1e3
			  << " us; zeroing is " << 100 * kz / mig
			  << " % of the migration's " << mig / 1e3 << " us, "
			  << 100 * kz / heap << " % of the heap alloc; "
			  << init_on_alloc() << "\n";
	}
};

// A 32-bit camera without IOMMU: contiguous below 4 GiB.
TEST_F(MigrationBench, ToContiguous4MiB)
{
	report("to contig", 4 * kMiB, plain("bench-cam"));
}

// A 32-bit DMA engine that scatters: pages below 4 GiB.
TEST_F(MigrationBench, ToBelow4GiB)
{
	const DeviceSpec dma32 = scatter("bench-dma32", 32, UINT32_MAX);
	report("to dma32", 4 * kMiB, dma32);
	report("to dma32", 64 * kMiB, dma32);
}

} // namespace
