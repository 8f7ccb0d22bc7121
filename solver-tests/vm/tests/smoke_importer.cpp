// SPDX-License-Identifier: GPL-2.0
//
// smoke_importer.cpp - the test importer against the stock system heap.
//
// Checks cen_importer.ko itself, without cenalloc buffers: devices are
// created and destroyed, system-heap dma-bufs are attached, mapped and
// checked, the checker catches violations it must catch, vmap reads and
// writes the same bytes as an mmap of the dma-buf, the ABI refuses bad
// arguments, and closing the file releases everything.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>

#include "importer.hpp"

using namespace cen::vm;

namespace {

constexpr uint64_t kMiB = 1ULL << 20;

class Smoke : public testing::Test {
protected:
	void SetUp() override
	{
		if (!Importer::available())
			GTEST_SKIP() << "no " << kImporterPath
				     << ": cen_importer.ko not loaded "
					"(cenalloc.ko not built yet?)";
		if (::access(kSystemHeapPath, F_OK))
			GTEST_SKIP() << "no " << kSystemHeapPath;
		imp_ = std::make_unique<Importer>();
	}

	// A device that takes anything: 64-bit, 1 GiB segments, no boundary,
	// scatter-gather.
	DeviceSpec any_device(const char *name)
	{
		return DeviceSpec{.name = name,
				  .dma_bits = 64,
				  .max_seg_size = 1U << 30};
	}

	std::unique_ptr<Importer> imp_;
};

TEST_F(Smoke, MapSystemHeapBuffer)
{
	Device dev = imp_->create_device(any_device("cen-smoke0"));
	EXPECT_EQ(dev.name(), "cen-smoke0");
	EXPECT_EQ(dev.info().dma_mask, ~0ULL);
	EXPECT_EQ(dev.info().eff_max_seg_size, 1U << 30);

	const uint64_t len = kMiB + 64 * 1024;
	UniqueFd buf = system_heap_alloc(len);
	Attachment att = dev.attach(buf.get());
	EXPECT_EQ(att.size(), len);
	EXPECT_EQ(att.exporter(), "system");
	EXPECT_FALSE(att.is_cenalloc());

	Mapping map = att.map();
	const MapReport &r = map.report();
	EXPECT_TRUE(map.pass()) << map.describe();
	EXPECT_GE(r.segments(), 1U);
	EXPECT_EQ(r.r.nr_segments, r.r.nr_entries) << "dma-direct does not merge";
	EXPECT_EQ(r.r.total, len);
	EXPECT_EQ(r.r.nr_bounced, 0U);
	ASSERT_FALSE(r.first_segments().empty());
	EXPECT_NE(r.first_segments()[0].addr, 0U);
	EXPECT_GE(r.r.contig_size, r.first_segments()[0].len);
	std::cout << "system heap, " << len << " bytes: " << map.describe()
		  << "\n";

	MapReport again = map.recheck();
	EXPECT_EQ(again.r.nr_segments, r.r.nr_segments);
	EXPECT_EQ(map.unmap(), 0);
	EXPECT_EQ(att.detach(), 0);
	EXPECT_EQ(dev.destroy(), 0);
}

// The guest has RAM above 4 GiB and the system heap takes pages from
// there: a 32-bit device reaches them only through swiotlb bounce
// buffers, which the checker must see through.
TEST_F(Smoke, Dma32DeviceBouncesSystemHeapPagesAbove4G)
{
	auto spec = any_device("cen-smoke32");
	spec.dma_bits = 32;
	Device dev = imp_->create_device(spec);
	EXPECT_EQ(dev.addr_limit(), 0xffffffffULL);
	UniqueFd buf = system_heap_alloc(256 * 1024);
	Attachment att = dev.attach(buf.get());
	Mapping map = att.map();
	const MapReport &r = map.report();
	EXPECT_FALSE(map.pass()) << map.describe();
	EXPECT_EQ(r.rule(), CEN_IMP_RULE_BOUNCED) << map.describe();
	EXPECT_GT(r.r.nr_bounced, 0U);
	EXPECT_LE(r.r.highest, 0xffffffffULL) << "bounce buffers are low";
}

TEST_F(Smoke, CheckerCatchesBoundaryCrossing)
{
	auto spec = any_device("cen-smoke-bnd");
	spec.seg_boundary_mask = 0xfff;	// no segment may cross 4 KiB
	Device dev = imp_->create_device(spec);
	EXPECT_EQ(dev.info().eff_seg_boundary, 0xfffULL);
	UniqueFd buf = system_heap_alloc(kMiB);
	Attachment att = dev.attach(buf.get());
	Mapping map = att.map();
	if (map.report().r.longest <= 4096)
		GTEST_SKIP() << "system heap gave only single pages";
	EXPECT_FALSE(map.pass());
	EXPECT_EQ(map.report().rule(), CEN_IMP_RULE_SEG_BOUNDARY)
		<< map.describe();
}

TEST_F(Smoke, CheckerCatchesShortSegmentLimit)
{
	auto spec = any_device("cen-smoke-seg");
	spec.max_seg_size = 4096;
	Device dev = imp_->create_device(spec);
	UniqueFd buf = system_heap_alloc(kMiB);
	Attachment att = dev.attach(buf.get());
	Mapping map = att.map();
	if (map.report().r.longest <= 4096)
		GTEST_SKIP() << "system heap gave only single pages";
	EXPECT_FALSE(map.pass());
	EXPECT_EQ(map.report().rule(), CEN_IMP_RULE_MAX_SEG_SIZE)
		<< map.describe();
	EXPECT_EQ(map.report().r.bad_limit, 4096U);
}

TEST_F(Smoke, ContiguousDeviceVerdictFollowsRuns)
{
	auto spec = any_device("cen-smoke-contig");
	spec.flags = CEN_IMP_DEV_CONTIG;
	Device dev = imp_->create_device(spec);
	EXPECT_EQ(dev.info().eff_max_segments, 1U);
	// 2 MiB + 4 KiB: the system heap hands out at most 1 MiB chunks.
	const uint64_t len = 2 * kMiB + 4096;
	UniqueFd buf = system_heap_alloc(len);
	Attachment att = dev.attach(buf.get());
	Mapping map = att.map();
	const MapReport &r = map.report();
	if (r.runs() == 1) {
		EXPECT_TRUE(r.pass()) << r.describe();
		EXPECT_EQ(r.r.contig_size, len);
	} else {
		EXPECT_FALSE(r.pass());
		EXPECT_EQ(r.rule(), CEN_IMP_RULE_CONTIG) << r.describe();
		EXPECT_LT(r.r.contig_size, len);
	}
}

// Devices that declare themselves through cenalloc's driver API: the
// declaration is accepted, the device works with a foreign dma-buf, and
// destroying it withdraws the declaration.
TEST_F(Smoke, DeclaredDevices)
{
	struct Case {
		const char *name;
		uint32_t declare;
		uint32_t flags;
		uint32_t expect_max_segments;
	};
	const Case cases[] = {
		{"cen-smoke-dcontig", CEN_IMP_DECLARE_CONTIG, 0, 1},
		{"cen-smoke-dscatter", CEN_IMP_DECLARE_SCATTER, 0, ~0U},
		{"cen-smoke-diommu", CEN_IMP_DECLARE_SCATTER,
		 CEN_IMP_DEV_DECL_IOMMU | CEN_IMP_DEV_DECL_SEGS_ONLY, ~0U},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.name);
		auto spec = any_device(c.name);
		spec.dma_bits = 64;	// no bouncing: the declaration is tested
		spec.declare = c.declare;
		spec.flags = c.flags;
		Device dev = imp_->create_device(spec);
		EXPECT_EQ(dev.info().eff_max_segments, c.expect_max_segments);
		UniqueFd buf = system_heap_alloc(64 * 1024);
		Attachment att = dev.attach(buf.get());
		Mapping map = att.map();
		// 64 KiB of the system heap is one order-4 chunk, or pages.
		if (c.declare != CEN_IMP_DECLARE_CONTIG ||
		    map.report().runs() == 1) {
			EXPECT_TRUE(map.pass()) << map.describe();
		}
	}
	// The names are free again.
	for (const Case &c : cases)
		EXPECT_EQ(imp_->create_device(any_device(c.name)).destroy(), 0);
}

// Devices bind to the cen_importer platform driver unless NO_DRIVER, and
// then to nothing, not even a driver of the same name.
TEST_F(Smoke, DriverBinding)
{
	auto driver_of = [](const std::string &name) {
		char buf[256] = {};
		std::string link = "/sys/bus/platform/devices/" + name + "/driver";
		ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
		std::string s = n > 0 ? std::string(buf, n) : std::string();
		return s.substr(s.rfind('/') + 1);
	};
	Device bound = imp_->create_device(any_device("cen-smoke-bound"));
	EXPECT_EQ(driver_of("cen-smoke-bound"), "cen_importer");
	auto spec = any_device("cen_importer");
	spec.flags = CEN_IMP_DEV_NO_DRIVER;
	Device unbound = imp_->create_device(spec);
	EXPECT_EQ(driver_of("cen_importer"), "");
}

TEST_F(Smoke, DynamicAttachOnStaticExporter)
{
	Device dev = imp_->create_device(any_device("cen-smoke-dyn"));
	UniqueFd buf = system_heap_alloc(64 * 1024);
	Attachment att = dev.attach(buf.get(), CEN_IMP_ATTACH_DYNAMIC);
	Mapping map = att.map();
	EXPECT_TRUE(map.pass()) << map.describe();
	EXPECT_EQ(map.report().r.moves, 0U);
}

TEST_F(Smoke, VmapMatchesMmap)
{
	const uint64_t len = 256 * 1024;
	UniqueFd buf = system_heap_alloc(len);
	VMap vm = imp_->vmap(buf.get());
	EXPECT_EQ(vm.size(), len);

	std::vector<uint8_t> pat(64);
	for (size_t i = 0; i < pat.size(); i++)
		pat[i] = static_cast<uint8_t>(0xa5 ^ i);
	vm.write(0, pat);
	vm.write(len - pat.size(), pat);
	EXPECT_EQ(vm.read(0, pat.size()), pat);

	void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 buf.get(), 0);
	ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
	auto *bytes = static_cast<uint8_t *>(p);
	dma_buf_sync sync{};
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
	ASSERT_EQ(xioctl(buf.get(), DMA_BUF_IOCTL_SYNC, &sync), 0);
	EXPECT_EQ(std::memcmp(bytes, pat.data(), pat.size()), 0);
	EXPECT_EQ(std::memcmp(bytes + len - pat.size(), pat.data(), pat.size()),
		  0);
	std::memset(bytes + 4096, 0x3c, 16);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ASSERT_EQ(xioctl(buf.get(), DMA_BUF_IOCTL_SYNC, &sync), 0);
	EXPECT_EQ(vm.read(4096, 16), std::vector<uint8_t>(16, 0x3c));
	::munmap(p, len);

	// Out of range.
	std::vector<uint8_t> one(1);
	EXPECT_EQ(vm.try_read(len, one), -EINVAL);
	EXPECT_EQ(vm.vunmap(), 0);
}

TEST_F(Smoke, RejectsBadArguments)
{
	cen_imp_dev_create c{};
	std::strcpy(c.name, "cen-smoke-bad");
	c.reserved[0] = 1;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);
	c.reserved[0] = 0;
	c.flags = 1U << 31;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);
	c.flags = 0;
	c.declare = 7;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);
	c.declare = 0;
	c.seg_boundary_mask = 0x1234;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);
	c.seg_boundary_mask = 0;
	c.dma_bits = 65;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);
	c.dma_bits = 0;
	std::strcpy(c.name, "bad/name");
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_CREATE, &c), -EINVAL);

	Device dev;
	ASSERT_EQ(imp_->try_create_device(any_device("cen-smoke-dup"), &dev), 0);
	Device dup;
	EXPECT_EQ(imp_->try_create_device(any_device("cen-smoke-dup"), &dup),
		  -EEXIST);
	// A name already on the platform bus (x86: serial8250; arm64 virt:
	// its PL011's, and others: vivid's, which is loaded).
	for (const char *taken : {"serial8250", "vivid.0"}) {
		const std::string path =
			std::string("/sys/bus/platform/devices/") + taken;
		if (::access(path.c_str(), F_OK) == 0) {
			EXPECT_EQ(imp_->try_create_device(any_device(taken), &dup),
				  -EEXIST) << taken;
		}
	}

	cen_imp_handle h{};
	h.handle = 12345;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DETACH, &h), -ENOENT);
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_DESTROY, &h), -ENOENT);
	h.handle = dev.handle();
	h.reserved = 1;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_DESTROY, &h), -EINVAL);

	Attachment att;
	EXPECT_EQ(dev.try_attach(-1, &att), -EBADF);
	EXPECT_EQ(dev.try_attach(imp_->fd(), &att), -EINVAL) << "not a dma-buf";
	UniqueFd buf = system_heap_alloc(64 * 1024);
	ASSERT_EQ(dev.try_attach(buf.get(), &att), 0);
	EXPECT_EQ(dev.try_attach(buf.get(), &att, 1U << 7), -EINVAL);

	cen_imp_handle d{};
	d.handle = dev.handle();
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_DEV_DESTROY, &d), -EBUSY);
	cen_imp_handle u{};
	u.handle = att.handle();
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_UNMAP, &u), -ENODATA);
	cen_imp_map m{};
	m.handle = att.handle();
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_CHECK, &m), -ENODATA);
	Mapping map = att.map();
	m = {};
	m.handle = att.handle();
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_MAP, &m), -EBUSY);
	m.flags = CEN_IMP_MAP_AGAIN;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_CHECK, &m), -EINVAL);
	m.flags = 0x80;
	EXPECT_EQ(imp_->ioctl(CEN_IMP_IOC_MAP, &m), -EINVAL);
	EXPECT_EQ(imp_->ioctl(_IO(CEN_IMP_IOC_MAGIC, 0x7f), nullptr), -ENOTTY);
}

TEST_F(Smoke, CloseReleasesEverything)
{
	for (int round = 0; round < 2; round++) {
		UniqueFd fd(::open(kImporterPath, O_RDWR | O_CLOEXEC));
		ASSERT_TRUE(fd);
		cen_imp_dev_create c{};
		std::strcpy(c.name, "cen-smoke-leak");
		c.dma_bits = 64;
		c.max_seg_size = 1U << 30;
		ASSERT_EQ(xioctl(fd.get(), CEN_IMP_IOC_DEV_CREATE, &c), 0)
			<< "round " << round << ": the name must be free again";
		UniqueFd buf = system_heap_alloc(128 * 1024);
		cen_imp_attach a{};
		a.dev = c.handle;
		a.fd = buf.get();
		ASSERT_EQ(xioctl(fd.get(), CEN_IMP_IOC_ATTACH, &a), 0);
		cen_imp_map m{};
		m.handle = a.handle;
		ASSERT_EQ(xioctl(fd.get(), CEN_IMP_IOC_MAP, &m), 0);
		cen_imp_vmap v{};
		v.fd = buf.get();
		ASSERT_EQ(xioctl(fd.get(), CEN_IMP_IOC_VMAP, &v), 0);
		// Close everything with the device mapped, attached and vmapped.
	}
}

} // namespace
