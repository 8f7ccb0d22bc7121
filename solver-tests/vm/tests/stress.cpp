// SPDX-License-Identifier: GPL-2.0
//
// stress: 8 threads, each round creating a buffer, attaching test
// importer devices of different constraints, mapping them (every mapping
// checked against its device), writing and reading it through mmap with
// DMA_BUF_IOCTL_SYNC, checking through a device what the CPU wrote,
// attaching a stricter device late (the buffer moves, or the attach is
// refused with EBUSY while a mapping or vmap holds it: nothing else), and
// tearing it all down in a random order.  At the end every counter is
// back where it started.
//
//   stress [--seconds=S] [--threads=T] [--seed=X]
//   environment: CEN_STRESS_SECONDS CEN_STRESS_THREADS CEN_STRESS_SEED
//
// The default is 60 s on the debug kernel (KASAN, lockdep, kmemleak look
// on) and 15 s on the stock one.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>

#include "cenalloc.hpp"
#include "fuzz.hpp"
#include "module_test.hpp"

using namespace cen::vm;
using namespace cen::vm::fuzz;

namespace {

constexpr uint64_t kPage = 4096;
// The device whose segments may not cross 64 KiB: a buffer larger than
// that can never suit it (the attach is refused with EINVAL).
constexpr uint64_t kWindow = 64 * kKiB;

struct Options {
	uint64_t seed;
	double seconds;
	unsigned threads;
};

Options options()
{
	Options o{};
	o.seed = seed_option("CEN_STRESS_SEED");
	o.seconds = std::strtod(option("seconds", "CEN_STRESS_SECONDS",
				       debug_kernel() ? "60" : "15").c_str(), nullptr);
	o.threads = std::max<uint64_t>(1, option_u64("threads",
						     "CEN_STRESS_THREADS", 8));
	return o;
}

// The kinds of device every thread has, by what they need.
enum Kind { kCam32, kCam31, kDisp, kGpu, kAligned, kWin, kKinds };

DeviceSpec spec(Kind k, const std::string &prefix)
{
	switch (k) {
	case kCam32:	// a camera: no IOMMU, nothing declared
		return {.name = prefix + "cam32", .dma_bits = 32,
			.max_seg_size = UINT32_MAX, .flags = CEN_IMP_DEV_CONTIG};
	case kCam31:	// narrower still where the platform allows it: the
			// DMA API refuses a mask below arm64's ZONE_DMA (4 GiB
			// on QEMU virt), so there it is a second 32-bit camera
		return {.name = prefix + "cam31", .dma_bits = arm64_guest() ? 32U : 31U,
			.max_seg_size = UINT32_MAX, .flags = CEN_IMP_DEV_CONTIG};
	case kDisp:	// a display: scatters in 64 KiB pieces below 4 GiB
		return {.name = prefix + "disp", .dma_bits = 32,
			.max_seg_size = 64 * kKiB, .declare = CEN_IMP_DECLARE_SCATTER};
	case kGpu:
		return {.name = prefix + "gpu", .dma_bits = 64,
			.max_seg_size = UINT32_MAX, .declare = CEN_IMP_DECLARE_SCATTER,
			.flags = CEN_IMP_DEV_DECL_IOMMU};
	case kAligned:	// scatters, every segment 64 KiB aligned
		return {.name = prefix + "align", .dma_bits = 64,
			.max_seg_size = UINT32_MAX, .align = 64 * kKiB,
			.declare = CEN_IMP_DECLARE_SCATTER};
	default:	// contiguous, no segment across 64 KiB
		return {.name = prefix + "win", .dma_bits = 64,
			.max_seg_size = UINT32_MAX, .seg_boundary_mask = kWindow - 1,
			.flags = CEN_IMP_DEV_CONTIG};
	}
}

// Devices that need contiguous memory (its allocation may fail for want
// of a free contiguous block; scattered memory may not).
bool needs_contig(Kind k) { return k == kCam32 || k == kCam31 || k == kWin; }

struct Shared {
	Options opt;
	Findings found;
	OpCounts ops;
	std::atomic<uint64_t> next_tag{1};
	std::chrono::steady_clock::time_point deadline;
};

// One buffer and everything a round did with it.
struct Round {
	uint64_t tag = 0, size = 0;
	UniqueFd fd;
	void *cpu = nullptr;
	std::vector<std::pair<Kind, Attachment>> atts;
	std::vector<Mapping> maps;
	std::optional<VMap> vmap;
	bool written = false;
	bool contig = false;	// some member needs contiguous memory

	~Round()
	{
		if (cpu)
			::munmap(cpu, size);
	}
	bool attached(Kind k) const
	{
		return std::any_of(atts.begin(), atts.end(),
				   [k](const auto &a) { return a.first == k; });
	}
};

class Worker {
public:
	Worker(Shared &sh, unsigned id) : sh_(sh), rng_(sh.opt.seed * 7919 + id)
	{
		const std::string prefix = "st" + std::to_string(id) + "-";
		for (int k = 0; k < kKinds; k++)
			devs_.push_back(imp_.create_device(spec(Kind(k), prefix)));
	}

	void run()
	{
		while (std::chrono::steady_clock::now() < sh_.deadline)
			round();
	}

private:
	void fail(const std::string &what) { sh_.found.add("stress", what); }

	void round()
	{
		Round r;
		r.tag = sh_.next_tag++;
		r.size = rng_.range(1, 1024) * kPage - (rng_.pct(10) ? rng_.below(kPage) : 0);
		std::vector<cenalloc_hint> hints;
		if (rng_.pct(25)) {
			const Kind k = Kind(rng_.below(kWin));	// never the impossible one
			hints.push_back(hint_device("platform:" + devs_[k].name()));
			r.contig |= needs_contig(k);
		}
		if (cen_.try_create(r.size, "stress", hints, &r.fd) != 0) {
			fail("CREATE of " + std::to_string(r.size) + " bytes failed");
			return;
		}
		r.size = (r.size + kPage - 1) & ~(kPage - 1);
		sh_.ops.add("create", true);
		for (unsigned n = rng_.below(4); n; n--)
			attach(r, Kind(rng_.below(kKinds)), false);
		for (auto &[k, a] : r.atts)
			if (rng_.pct(60))
				map(r, a);
		if (rng_.pct(70))
			cpu_access(r);
		if (rng_.pct(10))
			vmap(r);
		if (rng_.pct(60))
			late_attach(r);
		teardown(r);
	}

	// Attach @k: refused (EINVAL) exactly when the merged set becomes
	// impossible, i.e. the 64 KiB-window device and a larger buffer.
	void attach(Round &r, Kind k, bool late)
	{
		if (r.attached(k))
			return;
		Attachment a;
		const int ret = devs_[k].try_attach(r.fd.get(), &a);
		const bool impossible = k == kWin && r.size > kWindow;
		sh_.ops.add(late ? "late_attach" : "attach", ret == 0);
		if (impossible ? ret != -EINVAL : ret != 0) {
			fail("attach " + devs_[k].name() + " to " + std::to_string(r.size) +
			     " bytes: " + (ret ? strerrorname_np(-ret) : "success") +
			     (impossible ? ", expected EINVAL" : ""));
			return;
		}
		if (!ret) {
			r.contig |= needs_contig(k);
			r.atts.emplace_back(k, std::move(a));
		}
	}

	void map(Round &r, Attachment &a)
	{
		Mapping m;
		const int ret = a.try_map(&m);
		sh_.ops.add("map", ret == 0);
		if (ret == -ENOMEM && r.contig) {
			sh_.ops.add("map_no_contiguous_memory", true);
			return;
		}
		if (ret) {
			fail("map of " + std::to_string(r.size) + " bytes: " +
			     strerrorname_np(-ret) + " " + cen_.info(r.fd.get()).reason());
			return;
		}
		if (!m.pass())
			fail("mapping breaks its device's constraints: " + m.describe());
		r.maps.push_back(std::move(m));
	}

	// SYNC, check (zero when new, else the pattern), write the pattern.
	void cpu_access(Round &r)
	{
		if (!r.cpu) {
			void *p = ::mmap(nullptr, r.size, PROT_READ | PROT_WRITE,
					 MAP_SHARED, r.fd.get(), 0);
			if (p == MAP_FAILED) {
				fail("mmap: " + std::string(std::strerror(errno)));
				return;
			}
			r.cpu = p;
		}
		dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
		const int ret = xioctl(r.fd.get(), DMA_BUF_IOCTL_SYNC, &s);
		sh_.ops.add("cpu_access", ret == 0);
		if (ret == -ENOMEM && r.contig)
			return;
		if (ret) {
			fail("SYNC START: " + std::string(strerrorname_np(-ret)));
			return;
		}
		auto *b = static_cast<uint8_t *>(r.cpu);
		std::string bad;
		const int sig = guarded([&] {
			bad = foreign_word(b, 0, r.size, r.tag, !r.written);
			fill(b, 0, r.size, r.tag);
		});
		r.written = true;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		if (xioctl(r.fd.get(), DMA_BUF_IOCTL_SYNC, &s))
			fail("SYNC END failed");
		if (sig)
			fail("signal " + std::to_string(sig) + " touching a backed buffer");
		if (!bad.empty())
			fail(bad);
		device_sees_pattern(r);
	}

	// The first word of a page (at buffer offset @off) that is not the
	// pattern the CPU wrote all over the buffer; kPage if none.
	static size_t first_unwritten(const uint8_t *p, uint64_t off, uint64_t tag)
	{
		for (size_t w = 0; w < kPage; w += 8) {
			uint64_t v;
			std::memcpy(&v, p + w, 8);
			if (v != pattern(tag, off + w))
				return w;
		}
		return kPage;
	}

	// What the CPU wrote, read by a device through its own mapping.
	void device_sees_pattern(Round &r)
	{
		for (auto &[k, a] : r.atts) {
			const uint64_t off = rng_.below(r.size / kPage) * kPage;
			std::vector<uint8_t> v(kPage);
			const int ret = a.try_dma_rw(off, v.data(), v.size(), false);
			if (ret == -ENODATA)	// not mapped by this device
				continue;
			sh_.ops.add("device_read", ret == 0);
			if (ret) {
				fail("DMA_RW read: " + std::string(strerrorname_np(-ret)));
			} else if (size_t w = first_unwritten(v.data(), off, r.tag); w < kPage) {
				fail(devs_[k].name() + " does not see what the CPU wrote: " +
				     foreign_word(v.data() + w, off + w, 8, r.tag, false) +
				     " (zero at " + hex(off + w) + "?)");
			}
			return;
		}
	}

	// Of a backed buffer only: a vmap whose allocation fails makes the
	// dma-buf core WARN (see fuzz_ops, Finding.VmapThatCannotAllocate).
	void vmap(Round &r)
	{
		if (!cen_.info(r.fd.get()).backed())
			return;
		VMap v;
		const int ret = imp_.try_vmap(r.fd.get(), &v);
		sh_.ops.add("vmap", ret == 0);
		if (ret && !(ret == -ENOMEM && r.contig))
			fail("vmap: " + std::string(strerrorname_np(-ret)));
		if (!ret)
			r.vmap.emplace(std::move(v));
	}

	// A device attaching once the buffer is backed: the buffer moves if
	// nothing holds its memory (contents kept), else EBUSY if the memory
	// does not suit the device; nothing else.
	void late_attach(Round &r)
	{
		const BufferInfo before = cen_.info(r.fd.get());
		if (!before.backed())
			return;
		const Kind k = Kind(rng_.below(kKinds));
		if (r.attached(k))
			return;
		const bool held = !r.maps.empty() || r.vmap;
		const bool impossible = k == kWin && r.size > kWindow;
		Attachment a;
		const int ret = devs_[k].try_attach(r.fd.get(), &a);
		sh_.ops.add("late_attach", ret == 0);
		const BufferInfo after = cen_.info(r.fd.get());
		const bool moved = after.info.migrations > before.info.migrations;
		sh_.ops.add(moved ? "late_moved" : ret == -EBUSY ? "late_busy" : "late_fits",
			    true);
		if (impossible ? ret != -EINVAL : !(ret == 0 || (ret == -EBUSY && held))) {
			fail("late attach of " + devs_[k].name() + (held ? " (held)" : "") +
			     ": " + (ret ? strerrorname_np(-ret) : "success") + ": " +
			     after.reason());
			return;
		}
		if (ret == -EBUSY && after.reason().find(devs_[k].name()) == std::string::npos)
			fail("EBUSY without naming " + devs_[k].name() + ": " + after.reason());
		if (moved && held)
			fail("moved while held: " + after.reason());
		if (ret)
			return;
		r.contig |= needs_contig(k);
		r.atts.emplace_back(k, std::move(a));
		map(r, r.atts.back().second);
		if (r.written)
			contents_kept(r);
	}

	// After a move the mapping faults onto the new pages, which hold the
	// same bytes.
	void contents_kept(Round &r)
	{
		if (!r.cpu)
			return;
		dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ};
		if (xioctl(r.fd.get(), DMA_BUF_IOCTL_SYNC, &s))
			return;
		auto *b = static_cast<uint8_t *>(r.cpu);
		const uint64_t w = rng_.below(r.size / 8) * 8;
		uint64_t v = 0;
		const int sig = guarded([&] { std::memcpy(&v, b + w, 8); });
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		xioctl(r.fd.get(), DMA_BUF_IOCTL_SYNC, &s);
		if (sig || v != pattern(r.tag, w))
			fail("after the late attach, word " + hex(w) + " reads " + hex(v) +
			     (sig ? " (signal)" : ""));
	}

	// Everything goes, in a random order.
	void teardown(Round &r)
	{
		std::vector<std::function<void()>> steps;
		for (auto &m : r.maps)
			steps.push_back([&m] { m = Mapping(); });
		for (auto &[k, a] : r.atts)
			steps.push_back([&a] { a = Attachment(); });
		steps.push_back([&r] { r.vmap.reset(); });
		steps.push_back([&r] { r.fd = UniqueFd(); });
		steps.push_back([&r] {
			if (r.cpu)
				::munmap(r.cpu, r.size);
			r.cpu = nullptr;
		});
		for (size_t i = steps.size(); i > 1; i--)
			std::swap(steps[i - 1], steps[rng_.below(i)]);
		for (auto &s : steps)
			s();
	}

	Shared &sh_;
	Rng rng_;
	Importer imp_;
	Cenalloc cen_;
	std::vector<Device> devs_;
};

TEST(Stress, ThreadsCreateAttachMapTouchMoveAndClose)
{
	if (!Cenalloc::available() || !Importer::available())
		GTEST_SKIP() << "cenalloc.ko or cen_importer.ko not loaded";
	Shared sh;
	sh.opt = options();
	Cenalloc cen;
	const Snapshot start = snapshot(cen);
	install_fault_handlers();
	std::printf("stress: seed %" PRIu64 " (replay: --seed=%" PRIu64
		    "), %u threads, %.0f s\n", sh.opt.seed, sh.opt.seed,
		    sh.opt.threads, sh.opt.seconds);
	sh.deadline = std::chrono::steady_clock::now() +
		      std::chrono::milliseconds(int64_t(sh.opt.seconds * 1000));
	std::vector<std::thread> threads;
	for (unsigned t = 0; t < sh.opt.threads; t++)
		threads.emplace_back([&sh, t] {
			try {
				Worker(sh, t).run();
			} catch (const std::exception &e) {
				sh.found.add("stress", std::string("worker: ") + e.what());
			}
		});
	for (auto &t : threads)
		t.join();
	const Snapshot end = settle(cen, start);
	std::ostringstream line;
	line << "stress: seed=" << sh.opt.seed << " threads=" << sh.opt.threads
	     << " seconds=" << sh.opt.seconds << " ops=" << sh.ops.total()
	     << sh.ops.summary();
	note(line.str());

	EXPECT_GT(sh.ops.total(), 0U);
	EXPECT_EQ(sh.found.count("stress"), 0U) << sh.found.describe("stress");
	EXPECT_EQ(end, start) << "start: " << start.describe()
			      << "\nend:   " << end.describe();
	for (const auto &[name, used] : end.used)
		EXPECT_EQ(used, 0U) << name << " still has bytes in use";
	// The importer's devices are gone with its files: no declaration of
	// ours is left in cenalloc.
	EXPECT_EQ(slurp("/sys/kernel/debug/cenalloc/devices").find("st0-"),
		  std::string::npos);
}

} // namespace
