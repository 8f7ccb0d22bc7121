// SPDX-License-Identifier: GPL-2.0
//
// What the tests that drive cenalloc.ko through the test importer share:
// the fixture that opens both devices, the kinds of device they create,
// and QUERY's view of one backend.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cenalloc.hpp"

namespace cen::vm {

inline constexpr uint64_t kKiB = 1ULL << 10;
inline constexpr uint64_t kMiB = 1ULL << 20;

// QUERY's entry for the backend called @name, counters included.
inline cenalloc_backend_info backend(Cenalloc &c, const std::string &name)
{
	std::vector<cenalloc_backend_info> b;
	c.query(&b);
	for (const auto &x : b)
		if (name == x.name)
			return x;
	throw Error(ENOENT, "no backend " + name);
}

class ModuleTest : public testing::Test {
protected:
	void SetUp() override
	{
		if (!Cenalloc::available() || !Importer::available())
			GTEST_SKIP() << "cenalloc.ko or cen_importer.ko not loaded";
		cen_ = std::make_unique<Cenalloc>();
		imp_ = std::make_unique<Importer>();
	}

	// A plain device: no declaration, no IOMMU: contiguous by default
	// (a camera).  The checker is told so, and checks it on its own.
	static DeviceSpec plain(const char *name, uint32_t bits = 32)
	{
		return DeviceSpec{.name = name,
				  .dma_bits = bits,
				  .max_seg_size = UINT32_MAX,
				  .flags = CEN_IMP_DEV_CONTIG};
	}
	// Declared scatter-gather by its driver, with a segment size limit.
	static DeviceSpec scatter(const char *name, uint32_t bits, uint32_t seg)
	{
		return DeviceSpec{.name = name,
				  .dma_bits = bits,
				  .max_seg_size = seg,
				  .declare = CEN_IMP_DECLARE_SCATTER};
	}
	// Behind an IOMMU as far as cenalloc is told: takes any pages (a GPU).
	static DeviceSpec iommu(const char *name)
	{
		return DeviceSpec{.name = name,
				  .dma_bits = 64,
				  .max_seg_size = UINT32_MAX,
				  .declare = CEN_IMP_DECLARE_SCATTER,
				  .flags = CEN_IMP_DEV_DECL_IOMMU};
	}

	std::unique_ptr<Cenalloc> cen_;
	std::unique_ptr<Importer> imp_;
};

} // namespace cen::vm
