// SPDX-License-Identifier: GPL-2.0
//
// Migration bandwidth against memcpy, in one VM run: a buffer the
// application filled (system pages above 4 GiB) moves when a 32-bit device
// attaches; the kernel's own measure of the move (INFO migration_ns,
// allocation, zap, copy and free included) against userspace memcpy of the
// same size between two populated buffers.  Prints medians and the ratio
// as "bench:" lines; asserts only that every run did move.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <sys/mman.h>

#include "cenalloc.hpp"
#include "module_test.hpp"

using namespace cen::vm;

namespace {

constexpr int kRuns = 7;

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

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
