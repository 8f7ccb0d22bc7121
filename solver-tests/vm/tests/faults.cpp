// SPDX-License-Identifier: GPL-2.0
//
// Every allocation point of cenalloc.ko failing, one at a time, on kernels
// with fault injection (the debug kernel): a buffer's life from creation
// to a late device's move and mapping is run again and again, the k-th
// allocation failing in run k, until a run meets no injected failure.
// Each failure must come back as a clean error (or be absorbed by a
// fallback), leave what was written intact and leak nothing: the backends'
// counters return to where they were after every run, and kmemleak (the
// debug kernel scans at the end of the VM run) finds nothing.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>

#include "cenalloc.hpp"
#include "fault_injection.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr uint64_t kLen = 4 * kMiB;

uint64_t word(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 0x5eed;
}

int sync_buf(int fd, uint64_t flags)
{
	dma_buf_sync s{.flags = flags};
	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

// Fill through the CPU; the buffer is already backed, so nothing here
// allocates.
void fill(int fd)
{
	MMap m(fd, kLen);
	ASSERT_EQ(sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	auto *w = reinterpret_cast<uint64_t *>(m.data());
	for (uint64_t i = 0; i < kLen / 8; i++)
		w[i] = word(i);
	ASSERT_EQ(sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
}

// Words that do not hold what fill() wrote.
uint64_t damaged(int fd)
{
	MMap m(fd, kLen, PROT_READ);
	sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	const auto *w = reinterpret_cast<const uint64_t *>(m.data());
	uint64_t bad = 0;
	for (uint64_t i = 0; i < kLen / 8; i++)
		bad += w[i] != word(i);
	sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	return bad;
}

class Faults : public ModuleTest {
protected:
	void SetUp() override
	{
		ModuleTest::SetUp();
		if (IsSkipped())
			return;
		if (!InjectFailures::available())
			GTEST_SKIP() << "no fault injection in this kernel "
					"(CONFIG_FAULT_INJECTION_DEBUG_FS; the "
					"debug kernel has it)";
	}

	uint64_t used()
	{
		std::vector<cenalloc_backend_info> b;
		cen_->query(&b);
		uint64_t sum = 0;
		for (const auto &x : b)
			sum += x.used_bytes;
		return sum;
	}

	// A buffer's life; the first error and where, or 0.
	int life(Device &gpu, Device &cam, std::string *where)
	{
		UniqueFd buf;
		int r = cen_->try_create(kLen, "faults", {}, &buf);
		if (r)
			return *where = "create", r;
		Attachment ag, ac;
		if ((r = gpu.try_attach(buf.get(), &ag)))
			return *where = "attach", r;
		Mapping mg, mc;
		if ((r = ag.try_map(&mg))) {
			EXPECT_FALSE(cen_->info(buf.get()).backed())
				<< "a failed first map gives the memory back";
			return *where = "first map", r;
		}
		fill(buf.get());
		EXPECT_EQ(mg.unmap(), 0);
		// 32-bit and contiguous: the pages above 4 GiB must move.
		r = cam.try_attach(buf.get(), &ac);
		EXPECT_EQ(damaged(buf.get()), 0U) << "after the late attach, " << r;
		if (r)
			return *where = "late attach (move)", r;
		if ((r = ac.try_map(&mc)))
			return *where = "late map", r;
		EXPECT_TRUE(mc.pass()) << mc.describe();
		VMap v;
		if ((r = imp_->try_vmap(buf.get(), &v)))
			return *where = "vmap", r;
		return 0;
	}
};

TEST_F(Faults, EveryAllocationPointFailsCleanly)
{
	Device gpu = imp_->create_device(iommu("cen-fault-gpu"));
	Device cam = imp_->create_device(plain("cen-fault-cam"));
	const uint64_t baseline = used();
	std::map<std::string, int> failed_at;
	int injected = 0, absorbed = 0;
	bool clean_run = false;

	for (unsigned long k = 0; k < 100 && !clean_run; k++) {
		std::string where;
		int r = 0;
		bool fired = false;
		{
			InjectFailures inject(kFailAll, 1, k);
			ASSERT_TRUE(inject.ok());
			r = life(gpu, cam, &where);
			fired = InjectFailures::left() == 0;
		}
		EXPECT_EQ(used(), baseline) << "run " << k << " kept memory";
		if (!fired) {
			EXPECT_EQ(r, 0) << where << " failed with nothing injected";
			clean_run = true;
			continue;
		}
		injected++;
		if (!r) {
			absorbed++;	/* a fallback served (another plan) */
			continue;
		}
		EXPECT_TRUE(r == -ENOMEM || r == -EIO)
			<< "run " << k << ": " << where << ": " << r;
		failed_at[where]++;
	}
	EXPECT_TRUE(clean_run) << "more than 100 allocation points?";
	std::cout << "faults: " << injected << " failures injected, "
		  << absorbed << " absorbed by a fallback; failed steps:";
	for (const auto &[step, n] : failed_at)
		std::cout << " " << step << " x" << n;
	std::cout << "\n";
	// Every step that allocates was reached by an injected failure.
	for (const char *step : {"create", "attach", "first map",
				 "late attach (move)", "late map", "vmap"})
		EXPECT_GT(failed_at[step], 0) << step;
}

} // namespace
