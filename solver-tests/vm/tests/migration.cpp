// SPDX-License-Identifier: GPL-2.0
//
// A device attaching late, to a buffer that already has memory the device
// cannot use: cenalloc moves the backing store when nothing holds the old
// memory, keeping the contents and the user's mapping, and refuses with a
// reason, changing nothing, when it cannot.
//
// The VM has RAM above 4 GiB (run-vm.sh), so a buffer nobody constrains
// gets pages up there, out of reach of the 32-bit devices used here: every
// late 32-bit attach below has to move the buffer, whatever the page
// allocator's luck with contiguity.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cenalloc.hpp"
#include "fault_injection.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr size_t kPage = 4096;

// The word at @i of a buffer filled with @seed (splitmix64).
uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + i;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fill(void *p, size_t len, uint64_t seed)
{
	auto *w = static_cast<uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern(seed, i);
}

// Offset of the first byte that differs from the pattern, or @len.
size_t mismatch(const void *p, size_t len, uint64_t seed)
{
	const auto *w = static_cast<const uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != pattern(seed, i))
			return i * 8;
	return len;
}

class Migration : public ModuleTest {
protected:
	// A buffer the application has filled before any device attached.
	UniqueFd filled(uint64_t len, uint64_t seed, const char *name)
	{
		UniqueFd buf = cen_->create(len, name);
		MMap map(buf.get(), len);
		CpuAccess cpu(buf.get());
		fill(map.data(), len, seed);
		return buf;
	}

	// The buffer as INFO sees it, minus what a refusal may change.
	struct Snapshot {
		std::string backend;
		uint32_t runs, members, migrations;
		uint64_t migrated_bytes;
	};
	Snapshot snapshot(int fd)
	{
		BufferInfo i = cen_->info(fd);
		return {i.backend(), i.info.nr_segments,
			static_cast<uint32_t>(i.members.size()),
			i.info.migrations, i.info.migrated_bytes};
	}
	void expect_unchanged(const Snapshot &a, const Snapshot &b)
	{
		EXPECT_EQ(a.backend, b.backend);
		EXPECT_EQ(a.runs, b.runs);
		EXPECT_EQ(a.members, b.members);
		EXPECT_EQ(a.migrations, b.migrations);
		EXPECT_EQ(a.migrated_bytes, b.migrated_bytes);
	}
};

TEST_F(Migration, LateContiguousCameraMovesAUserFilledBuffer)
{
	const uint64_t len = 4 * kMiB;
	UniqueFd buf = cen_->create(len, "late-cam");
	MMap map(buf.get(), len);
	{
		CpuAccess cpu(buf.get());
		fill(map.data(), len, 1);
	}
	BufferInfo before = cen_->info(buf.get());
	ASSERT_EQ(before.backend(), "system") << before.reason();
	EXPECT_EQ(before.info.migrations, 0U);

	Device cam = imp_->create_device(plain("cen-mig-cam"));
	Attachment a = cam.attach(buf.get());
	BufferInfo after = cen_->info(buf.get());
	ASSERT_EQ(after.info.migrations, 1U)
		<< "the backing already suited a 32-bit contiguous camera: "
		   "does the VM have RAM above 4 GiB? " << after.reason();
	EXPECT_NE(after.backend(), "system");
	EXPECT_EQ(after.info.nr_segments, 1U);
	EXPECT_EQ(after.info.migrated_bytes, len);
	EXPECT_GT(after.info.migration_ns, 0U);
	EXPECT_NE(after.reason().find("attached cen-mig-cam after moving"),
		  std::string::npos) << after.reason();
	const std::string why = after.info.migration_reason;
	EXPECT_NE(why.find("from system"), std::string::npos) << why;
	EXPECT_NE(why.find("to " + after.backend()), std::string::npos) << why;
	std::cout << "moved: " << why << "\n";
	const std::string d = slurp("/sys/kernel/debug/cenalloc/buffers");
	EXPECT_NE(d.find("  last migration: " + why), std::string::npos) << d;

	// The camera's own checker: one segment, below 4 GiB.
	Mapping m = a.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	EXPECT_TRUE(m.report().contiguous()) << m.describe();

	// The same bytes through the mapping the application had all along
	// and through the pages the camera was given.
	{
		CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
		EXPECT_EQ(mismatch(map.data(), len, 1), len);
	}
	std::vector<uint8_t> seen = a.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 1), len);

	// And both ways afterwards: the device writes, the CPU reads.
	std::vector<uint8_t> frame(len);
	fill(frame.data(), len, 2);
	a.dma_write(0, frame);
	CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
	EXPECT_EQ(mismatch(map.data(), len, 2), len);
}

// Every earlier member still gets what it needs from the new memory.
TEST_F(Migration, MovedBufferServesEveryMember)
{
	const uint64_t len = 2 * kMiB;
	Device g = imp_->create_device(iommu("cen-mig-gpu"));
	Device d = imp_->create_device(scatter("cen-mig-dma32", 32, UINT32_MAX));
	Device c = imp_->create_device(plain("cen-mig-cam2"));
	UniqueFd buf = filled(len, 3, "late-three");
	Attachment ag = g.attach(buf.get());
	Attachment ad = d.attach(buf.get());
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.info.migrations, 1U)
		<< "the 32-bit DMA engine moves it below 4 GiB";
	// Scattered pages below 4 GiB do not suit the camera: a second move.
	// One run (the page allocator had a free block) already does.
	const uint32_t moves = 1 + (i.info.nr_segments > 1);
	Attachment ac = c.attach(buf.get());
	i = cen_->info(buf.get());
	EXPECT_EQ(i.info.migrations, moves) << i.reason();
	EXPECT_EQ(i.info.migrated_bytes, moves * len);
	EXPECT_EQ(i.info.nr_segments, 1U);
	for (Attachment *a : {&ag, &ad, &ac}) {
		Mapping m = a->map();
		EXPECT_TRUE(m.pass()) << m.describe();
		std::vector<uint8_t> seen = a->dma_read(0, len);
		EXPECT_EQ(mismatch(seen.data(), len, 3), len);
	}
}

TEST_F(Migration, MappedImporterBlocksTheMoveAndNothingChanges)
{
	const uint64_t len = 4 * kMiB;
	Device g = imp_->create_device(iommu("cen-busy-gpu"));
	Device c = imp_->create_device(plain("cen-busy-cam"));
	UniqueFd buf = filled(len, 4, "busy");
	Attachment ag = g.attach(buf.get());
	Mapping mg = ag.map();
	const Snapshot before = snapshot(buf.get());

	Attachment ac;
	EXPECT_EQ(c.try_attach(buf.get(), &ac), -EBUSY);
	BufferInfo i = cen_->info(buf.get());
	expect_unchanged(before, snapshot(buf.get()));
	EXPECT_EQ(i.info.last_error, -EBUSY);
	EXPECT_NE(i.reason().find("refused cen-busy-cam"), std::string::npos)
		<< i.reason();
	EXPECT_NE(i.reason().find("cen-busy-gpu has it mapped"),
		  std::string::npos) << i.reason();
	EXPECT_TRUE(mg.recheck().pass());
	std::vector<uint8_t> seen = ag.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 4), len);

	// Once the GPU lets go, the same attach moves the buffer.
	ASSERT_EQ(mg.unmap(), 0);
	ASSERT_EQ(c.try_attach(buf.get(), &ac), 0)
		<< cen_->info(buf.get()).reason();
	EXPECT_EQ(cen_->info(buf.get()).info.migrations, 1U);
	Mapping mc = ac.map();
	EXPECT_TRUE(mc.pass()) << mc.describe();
	seen = ac.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 4), len);
}

TEST_F(Migration, KernelVmapBlocksTheMove)
{
	const uint64_t len = kMiB;
	Device c = imp_->create_device(plain("cen-vmap-cam"));
	UniqueFd buf = filled(len, 5, "vmapped");
	VMap v = imp_->vmap(buf.get());
	const Snapshot before = snapshot(buf.get());
	Attachment ac;
	EXPECT_EQ(c.try_attach(buf.get(), &ac), -EBUSY);
	expect_unchanged(before, snapshot(buf.get()));
	const std::string why = cen_->info(buf.get()).reason();
	EXPECT_NE(why.find("vmapped"), std::string::npos) << why;
	std::vector<uint8_t> seen = v.read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 5), len);
}

// One thread writes and re-reads a word in every page, another checks
// that no word ever goes back to an older value, while the main thread's
// attach moves the buffer under them.  Afterwards every page holds the
// last value written to it, through the user mapping and through the
// camera's pages.
TEST_F(Migration, ThreadsUsingTheMappingLoseNothingDuringTheMove)
{
	const uint64_t len = 8 * kMiB, pages = len / kPage;
	UniqueFd buf = cen_->create(len, "busy-threads");
	MMap map(buf.get(), len);
	auto word = [&](uint64_t p) {
		return std::atomic_ref<uint64_t>(
			*reinterpret_cast<uint64_t *>(map.data() + p * kPage));
	};
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> passes{0}, stale{0}, lost{0};
	std::vector<uint64_t> last(pages, 0);

	std::thread writer([&] {
		for (uint64_t v = 1; !stop.load(); v++) {
			for (uint64_t p = 0; p < pages; p++) {
				word(p).store(v, std::memory_order_relaxed);
				last[p] = v;
				if (word(p).load(std::memory_order_relaxed) != v)
					lost++;
			}
			passes++;
		}
	});
	std::thread reader([&] {
		std::vector<uint64_t> seen(pages, 0);
		while (!stop.load())
			for (uint64_t p = 0; p < pages; p++) {
				uint64_t v = word(p).load(std::memory_order_relaxed);
				if (v < seen[p])
					stale++;
				seen[p] = v;
			}
	});
	auto wait_passes = [&](uint64_t n) {
		const uint64_t target = passes.load() + n;
		while (passes.load() < target)
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
	};

	wait_passes(2);
	Device c = imp_->create_device(plain("cen-threads-cam"));
	const uint64_t at_attach = passes.load();
	Attachment a = c.attach(buf.get());
	const uint64_t after_attach = passes.load();
	wait_passes(2);
	stop = true;
	writer.join();
	reader.join();

	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.info.migrations, 1U) << i.reason();
	std::cout << "passes: " << at_attach << " before the attach, "
		  << passes.load() - after_attach << " after; the move took "
		  << i.info.migration_ns / 1000 << " us\n";
	EXPECT_EQ(lost.load(), 0U) << "a write did not read back";
	EXPECT_EQ(stale.load(), 0U) << "a word went back to an older value";
	uint64_t wrong = 0;
	for (uint64_t p = 0; p < pages; p++)
		wrong += word(p).load() != last[p];
	EXPECT_EQ(wrong, 0U) << "pages without their last write (user view)";

	Mapping m = a.map();
	EXPECT_TRUE(m.report().contiguous()) << m.describe();
	std::vector<uint8_t> seen = a.dma_read(0, len);
	wrong = 0;
	for (uint64_t p = 0; p < pages; p++) {
		uint64_t v;
		std::memcpy(&v, seen.data() + p * kPage, sizeof(v));
		wrong += v != last[p];
	}
	EXPECT_EQ(wrong, 0U) << "pages without their last write (camera view)";
}

// Failures injected at the allocation and at the copy (after the user
// mappings were zapped): the attach fails, the buffer keeps its memory,
// its contents, its members and its mapping.
TEST_F(Migration, InjectedFailuresLoseNothing)
{
	if (!InjectFailures::available())
		GTEST_SKIP() << "no fault injection in this kernel "
				"(CONFIG_FAULT_INJECTION_DEBUG_FS; the debug kernel has it)";
	const uint64_t len = 4 * kMiB;
	UniqueFd buf = cen_->create(len, "injected");
	MMap map(buf.get(), len);
	{
		CpuAccess cpu(buf.get());
		fill(map.data(), len, 6);
	}
	Device c = imp_->create_device(plain("cen-inject-cam"));
	const Snapshot before = snapshot(buf.get());

	struct {
		unsigned bits;
		int err;
		const char *words;
	} const cases[] = {
		{kFailBackend, -ENOMEM, "allocation failure injected"},
		{kFailCopy, -EIO, "copy failure injected"},
	};
	for (const auto &k : cases) {
		SCOPED_TRACE(k.words);
		{
			InjectFailures inject(k.bits);
			ASSERT_TRUE(inject.ok()) << InjectFailures::kDir;
			Attachment ac;
			EXPECT_EQ(c.try_attach(buf.get(), &ac), k.err);
		}
		BufferInfo i = cen_->info(buf.get());
		expect_unchanged(before, snapshot(buf.get()));
		EXPECT_NE(i.reason().find(k.words), std::string::npos)
			<< i.reason();
		CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
		EXPECT_EQ(mismatch(map.data(), len, 6), len);
	}

	// Nothing injected: the same attach goes through.
	Attachment ac = c.attach(buf.get());
	EXPECT_EQ(cen_->info(buf.get()).info.migrations, 1U);
	CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
	EXPECT_EQ(mismatch(map.data(), len, 6), len);
}

// Contiguous below 4 GiB, and more than any contiguous backend has: 64 MiB
// is more than the buddy allocator's largest block and the VM's 32 MiB
// carveout; with CMA (the debug kernel's 64 MiB) it is twice what CMA has
// free.  The attach fails with the solver's reason; the buffer stays.
TEST_F(Migration, NoBackendForTheLateDeviceRefusesWithAReason)
{
	uint64_t len = 64 * kMiB;
	std::vector<cenalloc_backend_info> backends;
	cen_->query(&backends);
	for (const auto &b : backends)
		if (b.kind == CENALLOC_BACKEND_CONTIG && b.max_chunk >= len &&
		    b.free_bytes >= len)
			len = (2 * b.free_bytes + kMiB - 1) / kMiB * kMiB;
	if (len > 512 * kMiB)
		GTEST_SKIP() << "a contiguous backend can serve " << len;

	UniqueFd buf = cen_->create(len, "too-big");
	MMap map(buf.get(), len);
	{
		CpuAccess cpu(buf.get());
		fill(map.data(), len, 7);
	}
	const Snapshot before = snapshot(buf.get());
	Device c = imp_->create_device(plain("cen-nomem-cam"));
	Attachment ac;
	EXPECT_EQ(c.try_attach(buf.get(), &ac), -ENOMEM);
	expect_unchanged(before, snapshot(buf.get()));
	const BufferInfo refused = cen_->info(buf.get());
	const std::string why = refused.reason();
	EXPECT_GT(why.size(), sizeof(refused.info.last_reason))
		<< "too short to show the cut";
	EXPECT_EQ(std::string(refused.info.last_reason),
		  why.substr(0, sizeof(refused.info.last_reason) - 1))
		<< "last_reason, the first reason field, is a cut copy";
	EXPECT_NE(why.find("refused cen-nomem-cam"), std::string::npos) << why;
	EXPECT_NE(why.find("moving failed: cannot back " + std::to_string(len) +
			   " bytes"),
		  std::string::npos) << why;
	std::cout << "reason: " << why << "\n";
	CpuAccess cpu(buf.get(), DMA_BUF_SYNC_READ);
	EXPECT_EQ(mismatch(map.data(), len, 7), len);
}

TEST_F(Migration, TracepointRecordsSizeAndDuration)
{
	CenallocTrace tr("cenalloc_migrate");
	ASSERT_TRUE(tr.on()) << tr.enable_path();
	UniqueFd buf = filled(kMiB, 8, "traced-move");
	Device c = imp_->create_device(plain("cen-trace-cam"));
	Attachment a = c.attach(buf.get());
	tr.stop();
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.info.migrations, 1U);
	const std::string t = tr.text();
	const std::string want = "cenalloc_migrate: buffer=" +
				 std::to_string(i.info.id) + " from=system to=" +
				 i.backend() + " size=1048576 ret=0 ns=";
	EXPECT_NE(t.find(want), std::string::npos) << want << " in\n" << t;
}

} // namespace

namespace {

// ---- dynamic buffers and importers (CONFIG_DMABUF_MOVE_NOTIFY) ----------

class Dynamic : public Migration {
protected:
	void SetUp() override
	{
		Migration::SetUp();
		if (IsSkipped())
			return;
		const bool feat = cen_->query().features &
				  CENALLOC_FEAT_MOVE_NOTIFY;
		const int told = dynamic_importers_told();
		if (told >= 0) {
			ASSERT_EQ(feat, told == 1)
				<< "QUERY disagrees with the kernel's config";
		}
		if (!feat)
			GTEST_SKIP() << "kernel without CONFIG_DMABUF_MOVE_NOTIFY";
	}

	// A dynamic buffer the application filled.
	UniqueFd dynamic_filled(uint64_t len, uint64_t seed, const char *name)
	{
		UniqueFd buf;
		check(cen_->try_create(len, name, {}, &buf,
				       CENALLOC_CREATE_DYNAMIC),
		      "CENALLOC_IOC_CREATE dynamic");
		MMap map(buf.get(), len);
		CpuAccess cpu(buf.get());
		fill(map.data(), len, seed);
		return buf;
	}
};

// On a kernel without move_notify a dynamic buffer would pin on every
// map: cenalloc refuses to make one rather than pretend.
TEST_F(Migration, DynamicBuffersNeedMoveNotify)
{
	const bool feat = cen_->query().features & CENALLOC_FEAT_MOVE_NOTIFY;
	UniqueFd buf;
	const int r = cen_->try_create(kMiB, "dynamic", {}, &buf,
				       CENALLOC_CREATE_DYNAMIC);
	EXPECT_EQ(r, feat ? 0 : -EOPNOTSUPP);
	if (dynamic_importers_told() >= 0) {
		EXPECT_EQ(feat, dynamic_importers_told() == 1);
	}
}

// A GPU (dynamic importer, behind an IOMMU) has the buffer mapped and
// DMA in flight; a camera attaches.  cenalloc tells the GPU, waits for its
// fence, moves the buffer, and the GPU maps the new pages.
TEST_F(Dynamic, ImporterIsToldWaitedForAndMapsTheNewPages)
{
	const uint64_t len = 4 * kMiB;
	const uint32_t busy_ms = 300;
	Device g = imp_->create_device(iommu("cen-dyn-gpu"));
	Device c = imp_->create_device(plain("cen-dyn-cam"));
	UniqueFd buf = dynamic_filled(len, 20, "dyn");
	Attachment ag = g.attach(buf.get(), CEN_IMP_ATTACH_DYNAMIC);
	Mapping mg = ag.map();
	ASSERT_TRUE(mg.pass()) << mg.describe();
	ASSERT_EQ(ag.busy(busy_ms), 0);
	const std::string d = slurp("/sys/kernel/debug/cenalloc/buffers");
	EXPECT_NE(d.find("'dyn' size 4194304 dynamic backed by"),
		  std::string::npos) << d;

	const auto t0 = std::chrono::steady_clock::now();
	Attachment ac = c.attach(buf.get());
	const auto waited = std::chrono::steady_clock::now() - t0;
	BufferInfo i = cen_->info(buf.get());
	ASSERT_EQ(i.info.migrations, 1U) << i.reason();
	EXPECT_GE(waited, std::chrono::milliseconds(busy_ms))
		<< "the move did not wait for the GPU's fence";
	EXPECT_GE(i.info.migration_ns, busy_ms * 1000000ULL);

	// The GPU let go in move_notify; it maps again and sees the data.
	MapReport gone;
	EXPECT_EQ(mg.try_recheck(&gone), -ENODATA);
	Mapping mg2;
	ASSERT_EQ(ag.try_map(&mg2), 0);
	EXPECT_TRUE(mg2.pass()) << mg2.describe();
	EXPECT_EQ(mg2.report().r.moves, 1U);
	std::vector<uint8_t> seen = ag.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 20), len);
	Mapping mc = ac.map();
	EXPECT_TRUE(mc.report().contiguous()) << mc.describe();
	seen = ac.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 20), len);
}

// A GPU driver that only marks its mapping stale in move_notify keeps
// valid memory until it unmaps: the old pages are retired, not freed.
TEST_F(Dynamic, LazyImporterKeepsTheOldPagesUntilItUnmaps)
{
	const uint64_t len = 4 * kMiB;
	Device g = imp_->create_device(iommu("cen-lazy-gpu"));
	Device c = imp_->create_device(plain("cen-lazy-cam"));
	UniqueFd buf = dynamic_filled(len, 21, "lazy");
	Attachment ag = g.attach(buf.get(), CEN_IMP_ATTACH_DYNAMIC |
						    CEN_IMP_ATTACH_LAZY);
	Mapping mg = ag.map();
	const uint64_t system_before = backend(*cen_, "system").used_bytes;
	Attachment ac = c.attach(buf.get());
	ASSERT_EQ(cen_->info(buf.get()).info.migrations, 1U);
	std::vector<uint8_t> tmp(16);
	EXPECT_EQ(ag.try_dma_rw(0, tmp.data(), tmp.size(), false), -ESTALE);
	EXPECT_EQ(backend(*cen_, "system").used_bytes, system_before)
		<< "the old pages went while the GPU still had them mapped";
	ASSERT_EQ(mg.unmap(), 0);
	EXPECT_EQ(backend(*cen_, "system").used_bytes, system_before - len)
		<< "the old pages outlived the GPU's last mapping";
	Mapping mg2 = ag.map();
	std::vector<uint8_t> seen = ag.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 21), len);
}

// DMA that outlasts the move's patience (2 s): the attach fails, the
// buffer keeps its memory, members and contents, and the GPU, already told
// to let go, maps the very same pages again.
TEST_F(Dynamic, FenceThatOutlastsTheWaitFailsTheMoveAndLosesNothing)
{
	const uint64_t len = kMiB;
	Device g = imp_->create_device(iommu("cen-slow-gpu"));
	Device c = imp_->create_device(plain("cen-slow-cam"));
	UniqueFd buf = dynamic_filled(len, 23, "slow");
	Attachment ag = g.attach(buf.get(), CEN_IMP_ATTACH_DYNAMIC);
	Mapping mg = ag.map();
	const Snapshot before = snapshot(buf.get());
	ASSERT_EQ(ag.busy(3000), 0);
	Attachment ac;
	EXPECT_EQ(c.try_attach(buf.get(), &ac), -ETIMEDOUT);
	expect_unchanged(before, snapshot(buf.get()));
	const std::string why = cen_->info(buf.get()).reason();
	EXPECT_NE(why.find("moving failed: fences not signalled within 2000 ms"),
		  std::string::npos) << why;
	Mapping again;
	ASSERT_EQ(ag.try_map(&again), 0);
	EXPECT_TRUE(again.pass()) << again.describe();
	std::vector<uint8_t> seen = ag.dma_read(0, len);
	EXPECT_EQ(mismatch(seen.data(), len, 23), len);
}

// A pinned mapping does not move: here the dma-buf core pinned it for an
// importer that cannot be told (non-dynamic): when it attached before 7.x,
// when it mapped since.
TEST_F(Dynamic, PinnedMappingBlocksTheMove)
{
	const uint64_t len = kMiB;
	Device g = imp_->create_device(iommu("cen-pin-gpu"));
	Device c = imp_->create_device(plain("cen-pin-cam"));
	UniqueFd buf = dynamic_filled(len, 22, "pinned");
	Attachment ag = g.attach(buf.get());
	Mapping mg = ag.map();
	ASSERT_TRUE(mg.pass()) << mg.describe();
	const Snapshot before = snapshot(buf.get());
	Attachment ac;
	EXPECT_EQ(c.try_attach(buf.get(), &ac), -EBUSY);
	expect_unchanged(before, snapshot(buf.get()));
	const std::string why = cen_->info(buf.get()).reason();
	EXPECT_NE(why.find("cen-pin-gpu has it pinned"), std::string::npos)
		<< why;
}

} // namespace
