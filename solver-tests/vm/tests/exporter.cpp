// SPDX-License-Identifier: GPL-2.0
//
// cenalloc.ko on a real kernel, driven through its ABI and the test
// importer: delayed allocation, constraint merging across devices, refusal
// of impossible attaches, CPU access, profiles, hints, the dma-heap face
// and the validation of every ioctl field.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cenalloc.hpp"
#include "module_test.hpp"
#include "drm.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

class Exporter : public ModuleTest {};

TEST_F(Exporter, QueryNamesBackendsNotNumbers)
{
	std::vector<cenalloc_backend_info> b;
	cenalloc_query q = cen_->query(&b);
	EXPECT_EQ(q.abi_version, CENALLOC_ABI_VERSION);
	EXPECT_EQ(q.page_size, 4096U);
	EXPECT_TRUE(q.features & CENALLOC_FEAT_DMA_HEAP);
	ASSERT_GE(b.size(), 2U);
	std::vector<std::string> names;
	for (const auto &x : b) {
		names.push_back(x.name);
		EXPECT_GT(x.max_chunk, 0U) << x.name;
		std::cout << "backend " << x.name << " kind " << x.kind
			  << " max_chunk " << x.max_chunk << " free "
			  << x.free_bytes << "\n";
	}
	EXPECT_NE(std::find(names.begin(), names.end(), "system"), names.end());
	EXPECT_NE(std::find(names.begin(), names.end(), "contig"), names.end());
	// The backend is there exactly when the kernel can reach CMA (not
	// Debian's x86_64 kernel; the debug kernel can): it must not pretend.
	const bool cma = std::find(names.begin(), names.end(), "cma") !=
			 names.end();
	if (kernel_config("DMA_CMA") >= 0) {
		EXPECT_EQ(cma, kernel_config("DMA_CMA") == 1);
	}
}

TEST_F(Exporter, NothingIsAllocatedBeforeTheFirstMap)
{
	const uint64_t before_contig = backend(*cen_, "contig").allocations;
	const uint64_t before_system = backend(*cen_, "system").allocations;
	Device dev = imp_->create_device(plain("cen-lazy"));
	UniqueFd buf = cen_->create(kMiB, "lazy");

	BufferInfo i = cen_->info(buf.get());
	EXPECT_FALSE(i.backed());
	EXPECT_EQ(i.backend(), "");
	EXPECT_EQ(i.info.len, kMiB);

	Attachment att = dev.attach(buf.get());
	i = cen_->info(buf.get());
	EXPECT_FALSE(i.backed()) << "attach alone must not allocate";
	ASSERT_EQ(i.members.size(), 1U);
	EXPECT_STREQ(i.members[0].device, "cen-lazy");
	EXPECT_EQ(i.members[0].c.max_segments, 1U);
	EXPECT_EQ(i.members[0].c.src[1], CENALLOC_SRC_DEFAULT)
		<< "contiguity comes from the default policy";
	EXPECT_EQ(backend(*cen_, "contig").allocations, before_contig);
	EXPECT_EQ(backend(*cen_, "system").allocations, before_system);

	Mapping map = att.map();
	EXPECT_TRUE(map.pass()) << map.describe();
	EXPECT_TRUE(map.report().contiguous()) << map.describe();
	i = cen_->info(buf.get());
	EXPECT_TRUE(i.backed());
	EXPECT_EQ(i.backend(), "contig") << i.reason();
	EXPECT_EQ(backend(*cen_, "contig").allocations, before_contig + 1);
	std::cout << "decision: " << i.reason() << "\n";
}

TEST_F(Exporter, ThreeDevicesAttachThenTheScatterOneMapsFirst)
{
	Device cam = imp_->create_device(plain("cen-cam", 32));
	Device disp = imp_->create_device(scatter("cen-disp", 32, 64 * kKiB));
	Device gpu = imp_->create_device(iommu("cen-gpu"));
	UniqueFd buf = cen_->create(2 * kMiB, "frame");

	Attachment a_cam = cam.attach(buf.get());
	Attachment a_disp = disp.attach(buf.get());
	Attachment a_gpu = gpu.attach(buf.get());
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.members.size(), 3U);
	EXPECT_FALSE(i.backed());
	EXPECT_EQ(i.info.merged.max_segments, 1U);
	EXPECT_EQ(i.info.merged.origin[1], 0U) << "the camera set contiguity";
	EXPECT_EQ(i.info.merged.addr_limit, 0xffffffffULL);

	// The GPU could take anything, but the backing must suit all three.
	Mapping m_gpu = a_gpu.map();
	EXPECT_TRUE(m_gpu.pass()) << m_gpu.describe();
	Mapping m_cam = a_cam.map();
	EXPECT_TRUE(m_cam.pass()) << m_cam.describe();
	EXPECT_TRUE(m_cam.report().contiguous());
	EXPECT_LE(m_cam.report().r.highest, 0xffffffffULL);
	Mapping m_disp = a_disp.map();
	EXPECT_TRUE(m_disp.pass()) << m_disp.describe();
	EXPECT_EQ(m_disp.report().segments(), 32U)
		<< "the display sees its own 64 KiB segments";

	i = cen_->info(buf.get());
	EXPECT_EQ(i.backend(), "contig") << i.reason();
	std::cout << "demo: camera + display + GPU, 2 MiB: " << i.reason()
		  << "\n";
	for (const auto &m : i.members)
		std::cout << "demo:   " << m.device << " sees " << m.nr_segments
			  << " segment(s), max_segments " << m.c.max_segments
			  << " (from the " << source_name(m.c.src[1]) << ")\n";
	EXPECT_EQ(i.member("cen-disp")->nr_segments, 32U);
	EXPECT_EQ(i.member("cen-cam")->nr_segments, 1U);
}

TEST_F(Exporter, ScatterCapableDevicesGetSystemPages)
{
	Device gpu = imp_->create_device(iommu("cen-gpu-only"));
	Device disp = imp_->create_device(scatter("cen-disp-only", 64,
						  64 * kKiB));
	UniqueFd buf = cen_->create(8 * kMiB, "scatter");
	Attachment a = gpu.attach(buf.get());
	Attachment b = disp.attach(buf.get());
	Mapping ma = a.map();
	Mapping mb = b.map();
	EXPECT_TRUE(ma.pass()) << ma.describe();
	EXPECT_TRUE(mb.pass()) << mb.describe();
	BufferInfo i = cen_->info(buf.get());
	EXPECT_EQ(i.backend(), "system")
		<< "no contiguous memory for devices that can scatter: "
		<< i.reason();
	std::cout << "demo: display + GPU only, 8 MiB: " << i.reason() << "\n";
}

TEST_F(Exporter, UnsatisfiableAttachFailsAndTheOthersKeepWorking)
{
	Device wide = imp_->create_device(plain("cen-wide", 64));
	// Contiguous, but no segment may cross a 64 KiB boundary: one
	// segment can never hold 1 MiB.
	auto spec = plain("cen-64k-window", 64);
	spec.seg_boundary_mask = 0xffff;
	Device narrow = imp_->create_device(spec);
	UniqueFd buf = cen_->create(kMiB, "toolarge");
	Attachment a = wide.attach(buf.get());

	Attachment bad;
	EXPECT_EQ(narrow.try_attach(buf.get(), &bad), -EINVAL);
	BufferInfo i = cen_->info(buf.get());
	EXPECT_EQ(i.info.last_error, -EINVAL);
	EXPECT_NE(i.reason().find("cen-64k-window"), std::string::npos)
		<< i.reason();
	EXPECT_NE(i.reason().find("needs at least 16 segments"),
		  std::string::npos) << i.reason();
	ASSERT_EQ(i.members.size(), 1U) << "the refused device left no trace";
	EXPECT_EQ(i.info.merged.addr_limit, ~0ULL);

	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	EXPECT_TRUE(cen_->info(buf.get()).backed());
}

TEST_F(Exporter, FirstCpuTouchAllocatesZeroedMemoryVmapSeesWrites)
{
	UniqueFd buf = cen_->create(kMiB + 4 * kKiB, "cpu");
	EXPECT_FALSE(cen_->info(buf.get()).backed());
	{
		MMap map(buf.get(), kMiB + 4 * kKiB);
		CpuAccess cpu(buf.get());
		EXPECT_TRUE(std::all_of(map.data(), map.data() + map.size(),
					[](uint8_t b) { return b == 0; }));
		for (size_t k = 0; k < map.size(); k += 4096)
			map.data()[k] = static_cast<uint8_t>(k / 4096 + 1);
	}
	BufferInfo i = cen_->info(buf.get());
	EXPECT_TRUE(i.backed());
	EXPECT_EQ(i.backend(), "system") << "nobody needs contiguity";

	VMap v = imp_->vmap(buf.get());
	for (uint64_t k = 0; k < kMiB + 4 * kKiB; k += 4096)
		ASSERT_EQ(v.read(k, 1)[0], static_cast<uint8_t>(k / 4096 + 1));
	const uint8_t marks[] = {0xca, 0xfe};
	v.write(8192 + 1, marks);
	MMap again(buf.get(), kMiB + 4 * kKiB);
	CpuAccess cpu(buf.get());
	EXPECT_EQ(again.data()[8193], 0xca);
	EXPECT_EQ(again.data()[8194], 0xfe);
}

// Minor page faults this process has taken so far.
long minor_faults()
{
	rusage u{};
	::getrusage(RUSAGE_SELF, &u);
	return u.ru_minflt;
}

// One read per page of @m, then the faults they took.  Reads: on arm64
// without hardware dirty-bit management the first write to any clean
// PTE faults to set the dirty bit, however the PTE was made (the system
// heap's remap_pfn_range() too).
long faults_reading(const MMap &m)
{
	const uint64_t page = ::sysconf(_SC_PAGESIZE);
	const long before = minor_faults();
	for (uint64_t off = 0; off < m.size(); off += page)
		(void)reinterpret_cast<volatile uint8_t *>(m.data())[off];
	return minor_faults() - before;
}

// One write per page of @m.
void write_pages(const MMap &m, uint8_t tag)
{
	const uint64_t page = ::sysconf(_SC_PAGESIZE);

	for (uint64_t off = 0; off < m.size(); off += page)
		m.data()[off] = tag;
}

// The CPU access that allocates maps the caller's mappings whole, as the
// system heap does at mmap: filling a frame then takes no page fault.
// Mappings made once the buffer has memory are mapped whole at mmap.
TEST_F(Exporter, MappingsAreFilledWhenTheMemoryExists)
{
	const uint64_t page = ::sysconf(_SC_PAGESIZE);
	UniqueFd buf = cen_->create(64 * page, "filled");
	MMap whole(buf.get(), 64 * page);
	MMap tail(buf.get(), 16 * page, PROT_READ | PROT_WRITE, 48 * page);
	{
		CpuAccess cpu(buf.get());
		EXPECT_EQ(faults_reading(whole), 0);
		EXPECT_EQ(faults_reading(tail), 0);
		write_pages(whole, 1);
		write_pages(tail, 2);
	}
	MMap late(buf.get(), 8 * page, PROT_READ | PROT_WRITE, 4 * page);
	CpuAccess cpu(buf.get());
	EXPECT_EQ(faults_reading(late), 0);
	write_pages(late, 3);
	EXPECT_EQ(whole.data()[0], 1);
	EXPECT_EQ(whole.data()[4 * page], 3);
	EXPECT_EQ(whole.data()[48 * page], 2);
}

// A mapping the buffer remembers may be gone by the time memory arrives;
// the address may hold anything then.  It must be left alone (a PFN
// inserted into someone else's mapping would crash the kernel or hand it
// this buffer's pages).
TEST_F(Exporter, AGoneMappingIsNotFilledWhateverNowLivesThere)
{
	const uint64_t page = ::sysconf(_SC_PAGESIZE);
	const uint64_t len = 8 * page;
	UniqueFd buf = cen_->create(len, "gone-view");
	void *addr;
	{
		MMap gone(buf.get(), len);
		addr = gone.data();
	}
	void *anon = ::mmap(addr, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
	ASSERT_EQ(anon, addr) << "the address was taken meanwhile";
	std::memset(anon, 0x5a, len);
	MMap view(buf.get(), len);
	{
		CpuAccess cpu(buf.get());
		EXPECT_EQ(faults_reading(view), 0);
		write_pages(view, 7);
	}
	EXPECT_EQ(view.data()[len - page], 7);
	const auto *bytes = static_cast<const uint8_t *>(anon);
	EXPECT_TRUE(std::all_of(bytes, bytes + len,
				[](uint8_t b) { return b == 0x5a; }));
	::munmap(anon, len);
}

// After a move zaps the user mappings, a CPU fault maps its page's aligned
// 2 MiB window (512 pages), clipped to the VMA and the buffer: a mapping
// at an offset must still see each page where it is, across window
// boundaries and at both clipped ends.
TEST_F(Exporter, FaultWindowsOfAnOffsetMappingMapTheirOwnPages)
{
	constexpr uint64_t kPages = 2 * 512 + 7;
	constexpr uint64_t kOffset = 3;	// pages: the VMA starts mid-window
	const uint64_t page = ::sysconf(_SC_PAGESIZE);
	const uint64_t len = (kPages - kOffset - 1) * page; // ends mid-window
	UniqueFd buf = cen_->create(kPages * page, "fault-window");
	auto stamp = [](uint64_t pgoff) {
		return static_cast<uint32_t>(pgoff * 2654435761U + 1);
	};
	{
		MMap all(buf.get(), kPages * page);
		CpuAccess cpu(buf.get());
		for (uint64_t i = 0; i < kPages; i++) {
			const uint32_t v = stamp(i);
			std::memcpy(all.data() + i * page, &v, sizeof(v));
		}
	}
	MMap part(buf.get(), len, PROT_READ, kOffset * page);
	// Unconstrained pages lie above 4 GiB here: a 32-bit device moves
	// them, which zaps every user mapping.
	Device dev = imp_->create_device(scatter("cen-window", 32, UINT32_MAX));
	Attachment at = dev.attach(buf.get());
	ASSERT_EQ(cen_->info(buf.get()).info.migrations, 1U);
	CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
	// Touch the middle first: its window maps pages on both sides.
	const uint64_t n = len / page;
	std::vector<uint64_t> order{n / 2};
	for (uint64_t i = 0; i < n; i++)
		order.push_back(i);
	const long before = minor_faults();
	for (uint64_t i : order) {
		uint32_t v = 0;
		std::memcpy(&v, part.data() + i * page, sizeof(v));
		ASSERT_EQ(v, stamp(i + kOffset)) << "page " << i << " of the map";
	}
	// Three windows: the middle's, then the first and the last.
	EXPECT_EQ(minor_faults() - before, 3);
}

TEST_F(Exporter, LateStricterAttachToBusyBackingIsRefusedAndChangesNothing)
{
	Device gpu = imp_->create_device(iommu("cen-late-gpu"));
	Device cam = imp_->create_device(plain("cen-late-cam"));
	UniqueFd buf = cen_->create(12 * kMiB, "late");
	Attachment ag = gpu.attach(buf.get());
	Mapping mg = ag.map();
	BufferInfo before = cen_->info(buf.get());
	ASSERT_EQ(before.backend(), "system");

	// The GPU's pages are above 4 GiB (the VM has RAM there), out of the
	// camera's reach, and the GPU's mapping pins them.
	Attachment ac;
	const int r = cam.try_attach(buf.get(), &ac);
	BufferInfo after = cen_->info(buf.get());
	EXPECT_EQ(r, -EBUSY);
	EXPECT_NE(after.reason().find("cen-late-cam"), std::string::npos);
	EXPECT_EQ(after.backend(), before.backend());
	EXPECT_EQ(after.info.nr_segments, before.info.nr_segments);
	EXPECT_EQ(after.members.size(), 1U);
	EXPECT_TRUE(mg.recheck().pass());
}

TEST_F(Exporter, ProfileMakesAPlainDeviceScatter)
{
	auto p = argsz<cenalloc_profile>();
	p.flags = CENALLOC_MATCH_NAME;
	std::strcpy(p.device, "cen-profiled");
	p.c.valid = CENALLOC_C_MAX_SEGMENTS;
	p.c.max_segments = 0xffffffff;
	ASSERT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), 0);

	auto spec = plain("cen-profiled", 64);
	spec.flags = 0;	// the profile says it scatters
	Device dev = imp_->create_device(spec);
	UniqueFd buf = cen_->create(4 * kMiB, "profiled");
	Attachment a = dev.attach(buf.get());
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.members.size(), 1U);
	EXPECT_EQ(i.members[0].c.src[1], CENALLOC_SRC_PROFILE);
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	EXPECT_EQ(cen_->info(buf.get()).backend(), "system");

	auto c = argsz<cenalloc_profile>();
	c.flags = CENALLOC_MATCH_NAME;
	std::strcpy(c.device, "cen-profiled");
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_CLEAR, &c), 0);
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_CLEAR, &c), -ENOENT);
}

TEST_F(Exporter, HintGivesContiguousMemoryBeforeTheDeviceAttaches)
{
	Device cam = imp_->create_device(plain("cen-hinted"));
	UniqueFd buf = cen_->create(2 * kMiB, "hinted",
				    {hint_device("platform:cen-hinted")});
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.members.size(), 1U);
	EXPECT_TRUE(i.members[0].flags & CENALLOC_ATT_HINT);
	{
		// The application fills the buffer first.
		MMap map(buf.get(), 2 * kMiB);
		CpuAccess cpu(buf.get());
		std::memset(map.data(), 0x5a, map.size());
	}
	EXPECT_EQ(cen_->info(buf.get()).backend(), "contig");
	Attachment a = cam.attach(buf.get());
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	VMap v = imp_->vmap(buf.get());
	EXPECT_EQ(v.read(2 * kMiB - 1, 1)[0], 0x5a);
}

TEST_F(Exporter, HintNamingNoDeviceIsRefused)
{
	UniqueFd fd;
	EXPECT_EQ(cen_->try_create(kMiB, "x", {hint_device("platform:nope")},
				   &fd), -ENODEV);
}

TEST_F(Exporter, DmaHeapFaceBehavesLikeTheSystemHeap)
{
	UniqueFd heap(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(heap) << kCenallocHeapPath;
	auto data = [](uint64_t len, uint32_t fd_flags, uint64_t heap_flags,
		       uint32_t fd) {
		dma_heap_allocation_data d{};
		d.len = len;
		d.fd_flags = fd_flags;
		d.heap_flags = heap_flags;
		d.fd = fd;
		return d;
	};
	dma_heap_allocation_data d = data(64 * kKiB, O_RDWR | O_CLOEXEC, 0, 0);
	ASSERT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &d), 0);
	UniqueFd buf(d.fd);
	{
		MMap map(buf.get(), 64 * kKiB);
		CpuAccess cpu(buf.get());
		EXPECT_TRUE(std::all_of(map.data(), map.data() + map.size(),
					[](uint8_t b) { return b == 0; }));
		map.data()[0] = 1;
	}
	EXPECT_TRUE(cen_->info(buf.get()).backed());
	// The heap ABI has no name: none, as the system heap's, until a
	// user gives one.
	EXPECT_EQ(std::string(cen_->info(buf.get()).info.name), "");
	char name[] = "heap-frame";
	ASSERT_EQ(::ioctl(buf.get(), DMA_BUF_SET_NAME_B, name), 0);
	EXPECT_EQ(std::string(cen_->info(buf.get()).info.name), name);

	dma_heap_allocation_data bad = data(4096, 0x4000, 0, 0);
	EXPECT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &bad), -EINVAL);
	bad = data(4096, O_RDWR, 1, 0);
	EXPECT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &bad), -EINVAL);
	bad = data(0, O_RDWR, 0, 0);
	EXPECT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &bad), -EINVAL);
	bad = data(4096, O_RDWR, 0, 3);
	EXPECT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &bad), -EINVAL);
	// The dma-heap core reads only the number of a command, whatever its
	// type: these two are its business where the heap is real.
	if (real_dma_heap())
		return;
	EXPECT_EQ(xioctl(heap.get(), _IOWR('X', 0, int), &bad), -ENOTTY);
	// A bad fd to SYNC is the dma-buf core's standard error.
	dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
	EXPECT_EQ(xioctl(heap.get(), DMA_BUF_IOCTL_SYNC, &s), -ENOTTY);
}

// The test importer's devices, like most of an arm64 SoC's, have no
// dma-coherent property there: every mapping, unmapping and sync cleans or
// invalidates CPU caches, which is what the suite then exercises (and the
// arm64 debug kernel's DMA-API checks watch).  On x86 DMA is coherent.
TEST_F(Exporter, TestDevicesAreNonCoherentOnArm64)
{
	Device d = imp_->create_device(plain("cen-coherence", 32));
	EXPECT_EQ(d.info().coherent, arm64_guest() ? 0U : 1U);
}

// From 6.18 the kernel exports dma_heap_add() (where it has dma-buf heaps
// at all): there the node is a real heap, listed in /sys/class/dma_heap,
// kept by cenalloc_heap.ko; elsewhere cenalloc's misc device imitates it.
TEST_F(Exporter, DmaHeapIsRealWhereTheKernelAllowsIt)
{
	const bool allowed = kernel_config("DMABUF_HEAPS") == 1 &&
			     kernel_release_at_least(6, 18);
	EXPECT_EQ(real_dma_heap(), allowed);
	EXPECT_EQ(::access("/sys/module/cenalloc_heap", F_OK) == 0, allowed);
	EXPECT_EQ(::access("/sys/class/misc/cenalloc-heap", F_OK) == 0, !allowed);
	struct stat st {};
	ASSERT_EQ(::stat(kCenallocHeapPath, &st), 0) << kCenallocHeapPath;
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0600U);
}

// ---- every ioctl field, given bad values -------------------------------

class BadInput : public Exporter {};

TEST_F(BadInput, Query)
{
	auto q = argsz<cenalloc_query>();
	q.flags = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);
	q = argsz<cenalloc_query>();
	q.reserved[2] = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);
	q = argsz<cenalloc_query>();
	q.reserved0 = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);
	q = argsz<cenalloc_query>();
	q.abi_version = 7;	// an output field given on input
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);
	q = argsz<cenalloc_query>();
	q.argsz = 8;		// disagrees with the ioctl's size
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);
	q = argsz<cenalloc_query>();
	q.backends_ptr = 16;	// user memory nobody owns
	q.backends_cap = 4;
	q.backend_entry_size = sizeof(cenalloc_backend_info);
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EFAULT);
	q.backend_entry_size = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_QUERY, &q), -EINVAL);

	// An older, shorter struct works; a newer one with unknown
	// non-zero bytes is refused, with zero bytes accepted.
	struct {
		cenalloc_query q;
		uint64_t future;
	} big{};
	big.q.argsz = sizeof(big);
	const unsigned long big_cmd =
		_IOWR(CENALLOC_IOC_MAGIC, 0x0, decltype(big));
	EXPECT_EQ(cen_->ioc(big_cmd, &big), 0);
	EXPECT_EQ(big.q.abi_version, CENALLOC_ABI_VERSION);
	big = {};
	big.q.argsz = sizeof(big);
	big.future = 1;
	EXPECT_EQ(cen_->ioc(big_cmd, &big), -E2BIG);
	struct {
		uint32_t argsz, flags, abi_version, nr_backends;
	} small{};
	small.argsz = 16;
	EXPECT_EQ(cen_->ioc(_IOWR(CENALLOC_IOC_MAGIC, 0x0, decltype(small)),
			    &small), 0);
	EXPECT_EQ(small.abi_version, CENALLOC_ABI_VERSION);
	EXPECT_GE(small.nr_backends, 2U);
}

TEST_F(BadInput, CreateFields)
{
	auto good = [] {
		auto c = argsz<cenalloc_create>();
		c.len = 4096;
		c.fd_flags = O_RDWR;
		return c;
	};
	auto c = good();
	ASSERT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), 0);
	UniqueFd ok(c.fd);
	EXPECT_GT(c.id, 0U);

	c = good();
	c.len = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.flags = CENALLOC_CREATE_DYNAMIC << 1;	// unknown
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c.flags = 0x80000000;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.fd_flags = O_WRONLY;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.fd_flags = O_RDWR | O_NONBLOCK;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.fd = 5;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.id = 5;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.reserved[3] = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	std::memset(c.name, 'a', sizeof(c.name));	// no terminator
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c = good();
	c.len = ~0ULL;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -E2BIG);
	c = good();
	c.len = 1ULL << 40;	// more than the VM's memory
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -E2BIG);
	c = good();
	c.len = 4ULL << 30;	// most of the memory: creation allocates none
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), 0)
		<< "creation does not allocate";
	UniqueFd huge(c.fd);
}

TEST_F(BadInput, CreateHints)
{
	std::vector<cenalloc_hint> h(CENALLOC_MAX_HINTS + 1,
				     hint_device("platform:cen_importer"));
	auto c = argsz<cenalloc_create>();
	c.len = 4096;
	c.fd_flags = O_RDWR;
	c.hints_ptr = reinterpret_cast<uintptr_t>(h.data());
	c.hint_entry_size = sizeof(cenalloc_hint);
	c.nr_hints = CENALLOC_MAX_HINTS + 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c.nr_hints = 1;
	c.hint_entry_size = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);
	c.hint_entry_size = sizeof(cenalloc_hint);
	c.hints_ptr = 16;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EFAULT);
	c.hints_ptr = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), -EINVAL);

	auto one = [&](cenalloc_hint hint) {
		auto cc = c;
		cc.hints_ptr = reinterpret_cast<uintptr_t>(&hint);
		return cen_->ioc(CENALLOC_IOC_CREATE, &cc);
	};
	cenalloc_hint x{};
	EXPECT_EQ(one(x), -EINVAL) << "neither device nor constraints";
	x.flags = 2;
	EXPECT_EQ(one(x), -EINVAL) << "unknown hint flag";
	x = {};
	x.flags = CENALLOC_HINT_CONSTRAINTS;
	x.c.valid = CENALLOC_C_ALIGN;
	x.c.align = 3;
	EXPECT_EQ(one(x), -EINVAL) << "alignment not a power of two";
	x.c = {};
	x.c.valid = 0x80;
	EXPECT_EQ(one(x), -EINVAL) << "unknown constraint bit";
	x.c = {};
	x.c.valid = CENALLOC_C_SEG_BOUNDARY;
	x.c.seg_boundary_mask = 0x1234;
	EXPECT_EQ(one(x), -EINVAL) << "boundary mask not 2^k-1";
	x.c = {};
	x.c.src[0] = 1;
	EXPECT_EQ(one(x), -EINVAL) << "output field given";
	x.c = {};
	x.reserved0 = 1;
	EXPECT_EQ(one(x), -EINVAL);
	// Constraints no memory satisfies: refused at creation.
	x = {};
	x.flags = CENALLOC_HINT_CONSTRAINTS;
	x.c.valid = CENALLOC_C_ADDR_LIMIT | CENALLOC_C_MAX_SEGMENTS;
	x.c.addr_limit = 0xfff;
	x.c.max_segments = 1;
	EXPECT_EQ(one(x), -EINVAL);
	// And a good one.
	x.c.addr_limit = 0xffffffff;
	EXPECT_EQ(one(x), 0);
}

TEST_F(BadInput, Info)
{
	auto i = argsz<cenalloc_info>();
	i.fd = -1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EBADF);
	UniqueFd sys = foreign_dmabuf(4096);
	ASSERT_TRUE(sys) << "no system heap and no vgem for a foreign dma-buf";
	i.fd = sys.get();
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL)
		<< "not a cenalloc buffer";
	UniqueFd buf = cen_->create(4096);
	i = argsz<cenalloc_info>();
	i.fd = buf.get();
	i.flags = 4;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);
	i.flags = CENALLOC_INFO_BY_ID;	// with an fd given too
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);
	i = argsz<cenalloc_info>();
	i.fd = buf.get();
	i.reserved[0] = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);
	i = argsz<cenalloc_info>();
	i.fd = buf.get();
	i.attach_ptr = 16;
	i.attach_cap = 1;
	i.attach_entry_size = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);
	i = argsz<cenalloc_info>();
	i.flags = CENALLOC_INFO_BY_ID;
	i.id = ~0ULL;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -ENOENT);
	i.id = cen_->info(buf.get()).info.id;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), 0);
	EXPECT_EQ(i.len, 4096U);
	// Output fields added since the first struct, given as input.
	i = argsz<cenalloc_info>();
	i.fd = buf.get();
	i.reason[0] = 'x';
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);
	i.reason[0] = 0;
	i.migration_ns = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_INFO, &i), -EINVAL);

	// A caller built against the first struct (up to reserved[]) still
	// gets its fields, a NUL-terminated last_reason, and not a byte more.
	constexpr size_t first = offsetof(cenalloc_info, migrated_bytes);
	struct {
		unsigned char s[first];
		unsigned char guard[64];
	} old{};
	std::memset(old.guard, 0xa5, sizeof(old.guard));
	cenalloc_info in{};
	in.argsz = first;
	in.fd = buf.get();
	std::memcpy(old.s, &in, first);
	const unsigned long old_cmd =
		_IOC(_IOC_READ | _IOC_WRITE, CENALLOC_IOC_MAGIC, 0x2, first);
	ASSERT_EQ(cen_->ioc(old_cmd, old.s), 0);
	cenalloc_info out{};
	std::memcpy(&out, old.s, first);
	EXPECT_EQ(out.len, 4096U);
	EXPECT_NE(std::memchr(out.last_reason, 0, sizeof(out.last_reason)),
		  nullptr);
	EXPECT_EQ(std::string(out.last_reason), cen_->info(buf.get()).reason());
	EXPECT_TRUE(std::all_of(old.guard, old.guard + sizeof(old.guard),
				[](unsigned char c) { return c == 0xa5; }));
}

TEST_F(BadInput, Profiles)
{
	auto p = argsz<cenalloc_profile>();
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL)
		<< "no match key";
	p.flags = CENALLOC_MATCH_NAME;	// flag without the name
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	std::strcpy(p.device, "x");
	std::strcpy(p.bus, "platform");	// key given without its flag
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	p.bus[0] = 0;
	p.flags |= 0x100;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	p.flags = CENALLOC_MATCH_NAME | CENALLOC_PROFILE_CLEAR_ALL;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	p.flags = CENALLOC_MATCH_NAME;
	p.c.valid = CENALLOC_C_COHERENCY;
	p.c.coherency = 9;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	p.c = {};
	p.reserved[1] = 1;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), -EINVAL);
	p.reserved[1] = 0;
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_SET, &p), 0);

	auto c = argsz<cenalloc_profile>();
	c.flags = CENALLOC_PROFILE_CLEAR_ALL;
	std::strcpy(c.device, "x");
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_CLEAR, &c), -EINVAL);
	c.device[0] = 0;
	c.c.max_segments = 1;	// CLEAR takes no constraints
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_CLEAR, &c), -EINVAL);
	c.c = {};
	EXPECT_EQ(cen_->ioc(CENALLOC_IOC_PROFILE_CLEAR, &c), 0);
}

TEST_F(BadInput, UnknownCommandsAndDirections)
{
	uint64_t junk[64] = {};
	EXPECT_EQ(cen_->ioc(_IOWR(CENALLOC_IOC_MAGIC, 0x9, junk), junk),
		  -ENOTTY);
	EXPECT_EQ(cen_->ioc(_IOR(CENALLOC_IOC_MAGIC, 0x0, cenalloc_query),
			    junk), -ENOTTY);
	EXPECT_EQ(cen_->ioc(_IOWR('x', 0x0, cenalloc_query), junk), -ENOTTY);
}

} // namespace

namespace {

// debugfs shows the buffer with its members and decision; the tracepoints
// record create, attach, solve, allocate and every decision.
TEST_F(Exporter, DebugfsAndTracepointsExplainTheDecision)
{
	CenallocTrace tr("");
	ASSERT_TRUE(tr.on()) << tr.enable_path();

	Device cam = imp_->create_device(plain("cen-traced"));
	UniqueFd buf = cen_->create(kMiB, "traced");
	Attachment a = cam.attach(buf.get());
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	tr.stop();

	const std::string t = tr.text();
	for (const char *ev : {"cenalloc_create:", "cenalloc_attach:",
			       "cenalloc_solve:", "cenalloc_allocate:",
			       "cenalloc_decision:"})
		EXPECT_NE(t.find(ev), std::string::npos) << ev << " in\n" << t;
	EXPECT_NE(t.find("dev=cen-traced"), std::string::npos);
	EXPECT_NE(t.find("backend=contig"), std::string::npos);

	const std::string d = slurp("/sys/kernel/debug/cenalloc/buffers");
	EXPECT_NE(d.find("'traced' size 1048576 backed by contig"),
		  std::string::npos) << d;
	EXPECT_NE(d.find("attach cen-traced mapped segments 1"),
		  std::string::npos) << d;
	EXPECT_NE(d.find("max segments=0x1 (default policy)"),
		  std::string::npos) << d;
	const std::string b = slurp("/sys/kernel/debug/cenalloc/backends");
	EXPECT_NE(b.find("contig"), std::string::npos) << b;
	EXPECT_NE(b.find("allocations="), std::string::npos) << b;
}

// The words of an unconstrained allocation and of an attach are said when
// INFO reads them, from the state the decision left; with the decision
// tracepoint on they are said at once.  Both must be the same words.
TEST_F(Exporter, DecisionsSaidWhenReadAreTheTracepointsWords)
{
	Device gpu = imp_->create_device(iommu("cen-words-gpu"));
	auto decide = [&](const char *name) {
		std::vector<std::string> said;
		UniqueFd buf = cen_->create(kMiB, name);
		said.push_back(cen_->info(buf.get()).reason());
		{
			CpuAccess cpu(buf.get());
		}
		said.push_back(cen_->info(buf.get()).reason());
		Attachment a = gpu.attach(buf.get());
		said.push_back(cen_->info(buf.get()).reason());
		return said;
	};

	const std::vector<std::string> read = decide("words-read");
	EXPECT_EQ(read[0], "created with 0 hint(s), no memory yet");
	EXPECT_EQ(read[1].rfind("system, ", 0), 0U) << read[1];
	EXPECT_NE(read[1].find(" run(s), 0 member(s)"), std::string::npos)
		<< read[1];
	EXPECT_EQ(read[2], "attached cen-words-gpu");

	CenallocTrace tr("cenalloc_decision");
	ASSERT_TRUE(tr.on()) << tr.enable_path();
	const std::vector<std::string> traced = decide("words-traced");
	tr.stop();
	EXPECT_EQ(traced[1].substr(0, traced[1].find(',')),
		  read[1].substr(0, read[1].find(',')));
	EXPECT_EQ(traced[2], read[2]);
	const std::string t = tr.text();
	for (size_t i = 1; i < traced.size(); i++)
		EXPECT_NE(t.find("err=0 " + traced[i]), std::string::npos)
			<< traced[i] << " in\n" << t;
}

} // namespace

namespace {

// The creator's memory cgroup pays for the backing, even when another
// cgroup's task is the one whose page fault allocates it.
TEST_F(Exporter, BackingIsChargedToTheCreatorsMemoryCgroup)
{
	const std::string root = "/sys/fs/cgroup";
	if (::access((root + "/cgroup.controllers").c_str(), F_OK)) {
		ASSERT_EQ(::mount("none", root.c_str(), "cgroup2", 0, nullptr),
			  0) << std::strerror(errno);
	}
	write_file((root + "/cgroup.subtree_control").c_str(), "+memory");
	const std::string cg = root + "/cen-creator";
	::mkdir(cg.c_str(), 0755);
	ASSERT_EQ(::access((cg + "/memory.current").c_str(), R_OK), 0)
		<< "memory controller not available";
	const std::string pid = std::to_string(::getpid());

	write_file((cg + "/cgroup.procs").c_str(), pid.c_str());
	UniqueFd buf = cen_->create(8 * kMiB, "charged");
	write_file((root + "/cgroup.procs").c_str(), pid.c_str());

	const uint64_t before = read_u64(cg + "/memory.current");
	{
		MMap map(buf.get(), 8 * kMiB);
		CpuAccess cpu(buf.get());
		std::memset(map.data(), 0x77, map.size());
	}
	// memory.current includes each CPU's charge stock (up to 64 pages
	// per CPU, refilled and drained as charges come and go), so it
	// moves by the buffer size give or take that much.
	const uint64_t slack = 64 * 4096 * ::sysconf(_SC_NPROCESSORS_ONLN);
	const uint64_t backed = read_u64(cg + "/memory.current");
	EXPECT_GE(backed + slack, before + 8 * kMiB)
		<< "before " << before << " after " << backed;
	buf = UniqueFd();
	const uint64_t freed = read_u64(cg + "/memory.current");
	EXPECT_LE(freed, backed - 8 * kMiB + slack)
		<< "released memory uncharged";
	std::cout << "memcg cen-creator: " << before << " -> " << backed
		  << " -> " << freed << " bytes\n";
	EXPECT_EQ(::rmdir(cg.c_str()), 0) << std::strerror(errno);
}

} // namespace

namespace {

// relax_default=Y: an undeclared device without IOMMU is trusted to
// scatter; the default (N) gives it contiguous memory.
TEST_F(Exporter, RelaxDefaultParameterLiftsTheContiguousDefault)
{
	const char *param = "/sys/module/cenalloc/parameters/relax_default";
	ASSERT_EQ(slurp(param), "N\n");
	write_file(param, "Y");
	auto spec = plain("cen-relaxed", 64);
	spec.flags = 0;
	Device dev = imp_->create_device(spec);
	UniqueFd buf = cen_->create(4 * kMiB, "relaxed");
	Attachment a = dev.attach(buf.get());
	write_file(param, "N");
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.members.size(), 1U);
	EXPECT_EQ(i.members[0].c.valid & CENALLOC_C_MAX_SEGMENTS, 0U);
	EXPECT_EQ(i.members[0].c.max_segments, 0U) << "unset fields are zero";
	EXPECT_EQ(i.members[0].c.src[1], CENALLOC_SRC_NONE);
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	EXPECT_EQ(cen_->info(buf.get()).backend(), "system");
}

} // namespace

namespace {

// With a carveout configured (run-vm.sh reserves 32 MiB at 1.5 GiB), a
// contiguous buffer too large for the buddy allocator comes from it; a
// small one still comes from the cheaper buddy allocator.  The camera is
// 31-bit: on kernels with CMA (placed near 4 GiB) CMA is out of its reach,
// so the carveout is the only backend left whatever the kernel.
TEST_F(Exporter, CarveoutServesWhatTheBuddyAllocatorCannot)
{
	std::vector<cenalloc_backend_info> b;
	cen_->query(&b);
	auto it = std::find_if(b.begin(), b.end(), [](const auto &x) {
		return std::string(x.name) == "carveout";
	});
	if (arm64_guest()) {
		EXPECT_EQ(it, b.end()) << "a carveout where devices may be non-coherent";
		GTEST_SKIP() << "arm64: cenalloc refuses a carveout where devices may "
				"be non-coherent (vm-arm64 checks the refusal)";
	}
	ASSERT_NE(it, b.end()) << "cenalloc loaded without carveout=";
	EXPECT_EQ(it->addr_lo, 0x60000000ULL);
	EXPECT_EQ(it->addr_hi, 0x61ffffffULL);

	Device cam = imp_->create_device(plain("cen-big-cam", 31));
	UniqueFd big = cen_->create(8 * kMiB, "big");
	Attachment a = cam.attach(big.get());
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	EXPECT_TRUE(m.report().contiguous());
	EXPECT_GE(m.report().r.lowest, 0x60000000ULL);
	EXPECT_LE(m.report().r.highest, 0x61ffffffULL);
	BufferInfo i = cen_->info(big.get());
	EXPECT_EQ(i.backend(), "carveout") << i.reason();
	{
		MMap map(big.get(), 8 * kMiB);
		CpuAccess cpu(big.get());
		EXPECT_TRUE(std::all_of(map.data(), map.data() + map.size(),
					[](uint8_t v) { return v == 0; }))
			<< "carveout memory handed out unzeroed";
	}
	Device cam32 = imp_->create_device(plain("cen-small-cam"));
	UniqueFd small = cen_->create(kMiB, "small");
	Attachment s = cam32.attach(small.get());
	Mapping ms = s.map();
	EXPECT_EQ(cen_->info(small.get()).backend(), "contig");
}

} // namespace
