// SPDX-License-Identifier: GPL-2.0
//
// fuzz_ops: random operations on cenalloc from several threads, each
// answer checked against what the ABI promises.
//
// Every cenalloc ioctl and DMA_HEAP_IOCTL_ALLOC with random sizes (0, huge,
// EiB, near U64_MAX), flags, reserved bytes, struct sizes and user pointers
// (NULL, unmapped, kernel addresses, misaligned, straddling a guard page);
// mmap at random offsets and lengths, reads and writes of what is mapped,
// DMA_BUF_IOCTL_SYNC with random flags, DMA_BUF_SET_NAME, dup, lseek,
// close; imports into vgem (DRM PRIME) and attach / map / vmap through
// cen_importer.  Then the same, briefly, as an unprivileged user.
//
//   fuzz_ops [--seconds=S] [--ops=N] [--threads=T] [--seed=X] [--private=0]
//   environment: CEN_FUZZ_SECONDS CEN_FUZZ_OPS CEN_FUZZ_THREADS
//                CEN_FUZZ_SEED CEN_FUZZ_PRIVATE=0
//
// --ops=N runs until N operations are done (the long mode: 1000000); the
// default is 20 s of operations.  MAP_PRIVATE mmaps, which must be
// refused, are among them (--private=0 or CEN_FUZZ_PRIVATE=0 leaves them
// out, for a module from before that fix, which panics on them).
//
// The run happens once, in the first test; each test then asserts one
// property of it, so a failure names the property.  Tests in the Bounds
// suite assert the limits of docs/security.md: E2BIG above total RAM /
// size_limit_mb, no physical address in reasons, 0600 root nodes,
// RLIMIT_MEMLOCK charging of scarce memory (EDQUOT), MAP_PRIVATE refused
// with EINVAL.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <dirent.h>
#include <grp.h>
#include <iostream>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cenalloc.hpp"
#include "drm.hpp"
#include "fuzz.hpp"
#include "module_test.hpp"

using namespace cen::vm;
using namespace cen::vm::fuzz;

namespace {

// A platform device of the kernel's own drivers a hint may name: vgem was
// one until it moved to the faux bus (6.15), whose devices hints cannot
// name (faux_bus_type is not exported); vivid's still is.
std::string distro_platform_device()
{
	for (const char *name : {"vgem", "vivid.0"})
		if (::access(("/sys/bus/platform/devices/" + std::string(name)).c_str(),
			     F_OK) == 0)
			return name;
	return {};
}


constexpr uint64_t kPage = 4096;
// Buffers above this are created, mapped, named, closed, but never backed:
// the fuzzer must not ask a 5 GiB guest for gigabytes.
constexpr uint64_t kTouchable = 32 * kMiB;
// Most bytes one read or write operation touches.
constexpr uint64_t kTouchMax = 512 * kKiB;

// Categories of findings.  "bound:*" are the limits of docs/security.md
// (see the file comment); "note:*" are remarks, not failures.
const char *const kOracle = "oracle";		// an answer the ABI forbids
const char *const kBytes = "bytes";		// foreign or stale bytes
const char *const kFault = "fault";		// SIGBUS/SIGSEGV on our memory
const char *const kLostFd = "unreported-fd";	// fd created, never returned
const char *const kSizeLimit = "bound:size_limit";
const char *const kPhys = "bound:phys_addr";
const char *const kPrivate = "bound:map_private";
const char *const kQuota = "bound:memlock";

// ---- what the run knows about the system ---------------------------------

struct Options {
	uint64_t seed;
	double seconds;
	uint64_t ops;		// 0: bounded by time only
	unsigned threads;
	bool private_maps;
};

Options options()
{
	Options o{};
	o.seed = seed_option("CEN_FUZZ_SEED");
	o.ops = option_u64("ops", "CEN_FUZZ_OPS", 0);
	o.seconds = std::strtod(option("seconds", "CEN_FUZZ_SECONDS",
				       o.ops ? "0" : "20").c_str(), nullptr);
	o.threads = std::max<uint64_t>(1, option_u64("threads",
						     "CEN_FUZZ_THREADS", 4));
	o.private_maps = option("private", "CEN_FUZZ_PRIVATE", "1") == "1";
	return o;
}

// Lengths CREATE must refuse with E2BIG: above total RAM, or above the
// module's size_limit_mb when it has one.
uint64_t size_limit()
{
	struct sysinfo si {};
	::sysinfo(&si);
	uint64_t lim = uint64_t(si.totalram) * si.mem_unit;
	const std::string p = slurp("/sys/module/cenalloc/parameters/size_limit_mb");
	if (!p.empty() && std::strtoull(p.c_str(), nullptr, 0))
		lim = std::min<uint64_t>(lim, std::strtoull(p.c_str(), nullptr, 0) * kMiB);
	return lim;
}

// What the workers share.
struct Ctx {
	Options opt;
	bool root = true;
	bool move_notify = false;
	uint64_t limit = 0;
	Findings found;
	OpCounts ops;
	KnownPhys phys;
	std::atomic<uint64_t> next_tag{1};
	std::atomic<uint64_t> done{0};
	std::chrono::steady_clock::time_point deadline;

	bool over()
	{
		if (opt.ops)
			return done.load() >= opt.ops;
		return std::chrono::steady_clock::now() >= deadline;
	}
};

// ---- buffers and mappings shared by the workers --------------------------

struct BufState {
	uint64_t tag;
	uint64_t size;
	bool touchable;
	// Hints or devices constrain it: allocation may fail (ENOMEM).
	std::atomic<bool> constrained{false};
	std::mutex mu;		// held by writers: "fresh" is then stable
	bool written = false;
};

struct Buf {
	std::shared_ptr<BufState> st;
	UniqueFd fd;
	int accmode;
};

// A mapping, with a descriptor of its own for SYNC.  The descriptor is
// closed before the munmap, so the last reference to a buffer is now and
// then dropped by munmap rather than close.
struct Map {
	std::shared_ptr<BufState> st;
	UniqueFd fd;
	uint8_t *p = nullptr;
	uint64_t off = 0, len = 0;
	int prot = 0;
	std::atomic<bool> backed{false};

	Map() = default;
	Map(const Map &) = delete;
	~Map()
	{
		fd.reset();
		if (p)
			::munmap(p, len);
	}
};

template <typename T> class Shelf {
public:
	explicit Shelf(size_t cap) : cap_(cap) {}
	bool put(std::shared_ptr<T> x)
	{
		std::lock_guard l(mu_);
		if (v_.size() >= cap_)
			return false;
		v_.push_back(std::move(x));
		return true;
	}
	std::shared_ptr<T> any(Rng &r)
	{
		std::lock_guard l(mu_);
		return v_.empty() ? nullptr : v_[r.below(v_.size())];
	}
	std::shared_ptr<T> take(Rng &r)
	{
		std::lock_guard l(mu_);
		if (v_.empty())
			return nullptr;
		const size_t i = r.below(v_.size());
		auto x = std::move(v_[i]);
		v_[i] = std::move(v_.back());
		v_.pop_back();
		return x;
	}
	void clear()
	{
		std::vector<std::shared_ptr<T>> gone;
		std::lock_guard l(mu_);
		gone.swap(v_);
	}

private:
	std::mutex mu_;
	size_t cap_;
	std::vector<std::shared_ptr<T>> v_;
};

// ---- user memory the ioctls get pointers into ---------------------------

enum class Ptr { good, misaligned, null, unmapped, kernel, straddle };

// 16 pages the kernel may read and write, then a page it may not.
class Arena {
public:
	static constexpr size_t kRw = 16 * kPage;

	Arena()
	{
		void *p = ::mmap(nullptr, kRw + kPage, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			throw Error(errno, "mmap arena");
		base_ = static_cast<uint8_t *>(p);
		::mprotect(base_ + kRw, kPage, PROT_NONE);
	}
	Arena(const Arena &) = delete;
	~Arena() { ::munmap(base_, kRw + kPage); }

	// Put @len bytes of @src where a pointer of @kind points (slot 0: the
	// argument, slot 1: an array) and return that pointer.
	uint64_t place(Ptr kind, const void *src, size_t len, int slot)
	{
		uint8_t *at = base_ + (slot ? 4 * kPage : 0);
		switch (kind) {
		case Ptr::null:
			return 0;
		case Ptr::unmapped:
			return reinterpret_cast<uintptr_t>(base_ + kRw);
		case Ptr::kernel:
			return 0xffff888000100000ULL;
		case Ptr::straddle:
			at = base_ + kRw - std::max<size_t>(len / 2, 1);
			break;
		case Ptr::misaligned:
			at += 3;
			break;
		case Ptr::good:
			break;
		}
		std::memcpy(at, src, std::min<size_t>(len, base_ + kRw - at));
		return reinterpret_cast<uintptr_t>(at);
	}
	void fetch(uint64_t at, void *dst, size_t len)
	{
		std::memcpy(dst, reinterpret_cast<void *>(at), len);
	}

private:
	uint8_t *base_ = nullptr;
};

Ptr pick_ptr(Rng &r, unsigned bad_pct)
{
	if (!r.pct(bad_pct))
		return r.pct(85) ? Ptr::good : Ptr::misaligned;
	static const std::vector<Ptr> bad = {Ptr::null, Ptr::unmapped,
					     Ptr::kernel, Ptr::straddle};
	return r.pick(bad);
}

bool readable(Ptr p) { return p == Ptr::good || p == Ptr::misaligned; }

// ---- the oracle ----------------------------------------------------------

// The answers an operation may give: none of @errs means success is
// required; @maybe lists errors the environment may cause (no memory).
struct Verdict {
	std::vector<std::pair<int, const char *>> errs;	// errno, category
	std::vector<int> maybe;
	bool success_too = false;	// an error in errs need not happen

	void bad(bool cond, int err, const char *cat = kOracle)
	{
		if (cond)
			errs.push_back({err, cat});
	}
	bool allows(int err) const
	{
		for (const auto &[e, _] : errs)
			if (e == err)
				return true;
		return std::find(maybe.begin(), maybe.end(), err) != maybe.end();
	}
	std::string expected() const
	{
		std::string s;
		for (const auto &[e, c] : errs)
			s += std::string(" ") + strerrorname_np(e) + "(" + c + ")";
		for (int e : maybe)
			s += std::string(" ") + strerrorname_np(e) + "(maybe)";
		return s.empty() ? " success" : s;
	}
};

// ---- one worker thread ---------------------------------------------------

class Worker {
public:
	Worker(Ctx &ctx, Shelf<Buf> &bufs, Shelf<Map> &maps, unsigned id)
		: ctx_(ctx), bufs_(bufs), maps_(maps), id_(id),
		  rng_(ctx.opt.seed * 1000003 + id)
	{
		cen_ = UniqueFd(::open(kCenallocPath, O_RDWR | O_CLOEXEC));
		heap_ = UniqueFd(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
		if (ctx.root)
			setup_importer();
		card_ = open_drm("vgem");
	}

	void run()
	{
		if (!cen_ || !heap_) {
			ctx_.found.add(kOracle, "cannot open the cenalloc nodes: " +
					      std::string(std::strerror(errno)));
			return;
		}
		while (!ctx_.over()) {
			step();
			ctx_.done++;
		}
		release_all();
	}

private:
	using Op = void (Worker::*)();
	struct Entry {
		const char *name;
		unsigned weight;
		Op op;
	};

	void step()
	{
		static const std::vector<Entry> table = {
			{"create", 12, &Worker::op_create},
			{"heap_alloc", 5, &Worker::op_heap_alloc},
			{"raw_ioctl", 6, &Worker::op_raw_ioctl},
			{"query", 4, &Worker::op_query},
			{"info", 8, &Worker::op_info},
			{"profile", 3, &Worker::op_profile},
			{"mmap", 10, &Worker::op_mmap},
			{"munmap", 5, &Worker::op_munmap},
			{"read", 10, &Worker::op_read},
			{"write", 6, &Worker::op_write},
			{"sync", 8, &Worker::op_sync},
			{"set_name", 3, &Worker::op_set_name},
			{"close", 8, &Worker::op_close},
			{"dup", 3, &Worker::op_dup},
			{"lseek", 3, &Worker::op_lseek},
			{"vgem_import", 3, &Worker::op_vgem_import},
			{"gem_close", 3, &Worker::op_gem_close},
			{"imp_attach", 4, &Worker::op_imp_attach},
			{"imp_map", 4, &Worker::op_imp_map},
			{"imp_unmap", 2, &Worker::op_imp_unmap},
			{"imp_detach", 3, &Worker::op_imp_detach},
			{"imp_vmap", 2, &Worker::op_imp_vmap},
		};
		static const unsigned total = [] {
			unsigned t = 0;
			for (const auto &e : table)
				t += e.weight;
			return t;
		}();
		unsigned x = rng_.below(total);
		for (const auto &e : table) {
			if (x < e.weight) {
				cur_ = e.name;
				(this->*e.op)();
				return;
			}
			x -= e.weight;
		}
	}

	// Record the operation; a finding if @r is not what @v allows.
	void judge(int r, const Verdict &v, const std::string &what)
	{
		ctx_.ops.add(cur_, r == 0);
		if (r == 0) {
			if (v.errs.empty() || v.success_too)
				return;
			const char *cat = v.errs[0].second;
			for (const auto &[_, c] : v.errs)
				if (std::strcmp(c, cat))
					cat = kOracle;
			ctx_.found.add(cat, std::string(cur_) + " succeeded, expected" +
						    v.expected() + ": " + what);
			return;
		}
		if (!v.allows(-r))
			ctx_.found.add(kOracle, std::string(cur_) + " returned " +
						       strerrorname_np(-r) + ", expected" +
						       v.expected() + ": " + what);
	}

	uint64_t new_tag() { return ctx_.next_tag++ | (ctx_.root ? 0 : 1ULL << 30); }

	// ---- lengths, names, hints -----------------------------------------

	uint64_t random_len()
	{
		switch (rng_.below(20)) {
		case 0:
			return 0;
		case 1:
			return ctx_.limit + rng_.range(1, 1ULL << 40);	// above RAM
		case 2:
			return rng_.range(1ULL << 60, ~0ULL >> 1);	// EiB
		case 3:
			return ~0ULL - rng_.below(2 * kPage);		// near U64_MAX
		case 4:
			return rng_.range(kTouchable + 1, ctx_.limit);	// big, not touched
		case 5: case 6:
			return rng_.range(4 * kMiB, kTouchable);
		default:
			return rng_.range(1, 2 * kMiB);
		}
	}

	// A valid hint: one of our devices by name, vgem, or constraints.
	cenalloc_hint good_hint()
	{
		cenalloc_hint h{};
		const unsigned k = rng_.below(3);
		if (k == 0 && !dev_names_.empty()) {
			h = hint_device("platform:" + rng_.pick(dev_names_));
		} else if (k == 1 && !distro_platform_dev_.empty()) {
			h = hint_device("platform:" + distro_platform_dev_);
		} else {
			h.flags = CENALLOC_HINT_CONSTRAINTS;
			h.c.valid = CENALLOC_C_ADDR_LIMIT | CENALLOC_C_MAX_SEGMENTS;
			h.c.addr_limit = rng_.pct(50) ? 0xffffffffULL : ~0ULL;
			h.c.max_segments = rng_.pct(50) ? 1 : 0xffffffff;
		}
		return h;
	}

	// A hint and the error it deserves (0 for a good one).
	std::pair<cenalloc_hint, int> random_hint()
	{
		cenalloc_hint h = good_hint();
		switch (rng_.below(12)) {
		case 0:
			return {hint_device("platform:fz-nonexistent"), ENODEV};
		case 1:
			h.reserved0 = 1;
			return {h, EINVAL};
		case 2:
			h.flags |= 2;
			return {h, EINVAL};
		case 3:
			return {cenalloc_hint{}, EINVAL};
		case 4:
			h = {};
			h.flags = CENALLOC_HINT_CONSTRAINTS;
			h.c.valid = CENALLOC_C_ALIGN;
			h.c.align = 3;
			return {h, EINVAL};
		case 5:
			h = {};
			h.flags = CENALLOC_HINT_CONSTRAINTS;
			h.c.valid = CENALLOC_C_ADDR_LIMIT | CENALLOC_C_MAX_SEGMENTS;
			h.c.addr_limit = 0xfff;
			h.c.max_segments = 1;
			return {h, EINVAL};	// no memory satisfies it
		case 6:
			std::memset(h.device, 'd', sizeof(h.device));
			return {h, EINVAL};	// no terminator
		default:
			return {h, 0};
		}
	}

	// ---- CREATE ----------------------------------------------------------

	void op_create()
	{
		auto c = argsz<cenalloc_create>();
		Verdict v;
		const uint64_t tag = new_tag();
		c.len = random_len();
		c.fd_flags = O_RDWR | O_CLOEXEC;
		if (rng_.pct(10))
			c.fd_flags = rng_.pct(50) ? O_RDONLY : rng_.pick(
				std::vector<uint32_t>{O_WRONLY, O_ACCMODE, O_NONBLOCK | O_RDWR,
						      uint32_t(rng_.next())});
		if (rng_.pct(5))
			c.flags = rng_.pct(50) ? CENALLOC_CREATE_DYNAMIC
					       : uint32_t(1U << rng_.below(32));
		if (rng_.pct(3))
			c.fd = int32_t(rng_.next());
		if (rng_.pct(3))
			c.id = rng_.next();
		if (rng_.pct(3))
			c.reserved[rng_.below(4)] = rng_.next() | 1;
		const unsigned nm = rng_.below(20);
		if (nm == 0)
			std::memset(c.name, 'n', sizeof(c.name));
		else if (nm > 3)
			std::snprintf(c.name, sizeof(c.name), "fz%" PRIu64, tag);

		// Hints: the array, its pointer and entry size.
		std::vector<uint8_t> harr;
		Ptr hp = Ptr::good;
		if (rng_.pct(20)) {
			c.nr_hints = rng_.pct(5) ? CENALLOC_MAX_HINTS + 1 : rng_.range(1, 3);
			c.hint_entry_size = sizeof(cenalloc_hint);
			bool tail = false;
			if (rng_.pct(10)) {
				c.hint_entry_size = rng_.pick(std::vector<uint32_t>{
					0, sizeof(cenalloc_hint) + 16, 2 * kPage});
				tail = c.hint_entry_size == sizeof(cenalloc_hint) + 16 &&
				       rng_.pct(50);
			}
			hp = pick_ptr(rng_, 10);
			const size_t n = std::min<size_t>(c.nr_hints, CENALLOC_MAX_HINTS);
			harr.assign(n * std::min<size_t>(c.hint_entry_size, kPage), 0);
			const bool entries_read = c.nr_hints <= CENALLOC_MAX_HINTS &&
				c.hint_entry_size && c.hint_entry_size <= kPage &&
				hp != Ptr::null;
			for (size_t i = 0; entries_read && i < n; i++) {
				auto [h, err] = random_hint();
				std::memcpy(&harr[i * c.hint_entry_size], &h,
					    std::min<size_t>(sizeof(h), c.hint_entry_size));
				if (tail)
					harr[i * c.hint_entry_size + sizeof(h) + 3] = 1;
				// Entries are read in order and the first bad one
				// stops the others: any error of them may come.
				// Straddling the guard page, the first ones may
				// be read before the fault.
				v.bad(err != 0 && readable(hp), err);
				if (err && hp == Ptr::straddle)
					v.maybe.push_back(err);
			}
			if (entries_read && !readable(hp))
				v.bad(true, EFAULT);
			v.bad(entries_read && tail && readable(hp), E2BIG);
			if (entries_read && tail && hp == Ptr::straddle)
				v.maybe.push_back(E2BIG);	// first entry read whole
			c.hints_ptr = arena_.place(hp, harr.data(), harr.size(), 1);
			v.bad(c.nr_hints > CENALLOC_MAX_HINTS, EINVAL);
			v.bad(!c.hints_ptr || !c.hint_entry_size ||
			      c.hint_entry_size > kPage, EINVAL);
		}
		v.bad(c.len == 0, EINVAL);
		v.bad(c.len > ~0ULL - kPage, EINVAL);
		if (c.len > ~0ULL - kPage)
			v.maybe.push_back(E2BIG);	// the limit may come first
		else
			v.bad(c.len > ctx_.limit, E2BIG, kSizeLimit);
		v.bad(c.flags & ~CENALLOC_CREATE_DYNAMIC, EINVAL);
		v.bad((c.flags & CENALLOC_CREATE_DYNAMIC) && !ctx_.move_notify,
		      EOPNOTSUPP);
		v.bad(c.fd || c.id, EINVAL);
		v.bad(std::any_of(std::begin(c.reserved), std::end(c.reserved),
				  [](uint64_t x) { return x != 0; }), EINVAL);
		v.bad((c.fd_flags & ~(O_ACCMODE | O_CLOEXEC)) ||
		      (c.fd_flags & O_ACCMODE) == O_WRONLY ||
		      (c.fd_flags & O_ACCMODE) == O_ACCMODE, EINVAL);
		v.bad(nm == 0, EINVAL);
		// A hinted, valid buffer may be refused when its hints name a
		// device whose constraints leave nothing for this length.
		if (c.nr_hints)
			v.maybe.push_back(EINVAL);
		v.maybe.push_back(ENOMEM);
		call_create(c, v, tag, c.nr_hints != 0);
	}

	// Issue CREATE with @c at a random struct size and pointer; keep the
	// buffer it makes.
	void call_create(cenalloc_create c, Verdict v, uint64_t tag, bool hinted)
	{
		size_t usize = sizeof(c);
		struct {
			cenalloc_create c;
			uint8_t tail[64];
		} big{};
		const unsigned k = rng_.below(40);
		if (k == 0) {
			usize = rng_.below(8);	// too small for argsz and flags
			v.bad(true, EINVAL);
		} else if (k == 1 || k == 2) {
			usize = sizeof(c) + 8 * rng_.range(1, 8);
			if (k == 2) {
				big.tail[rng_.below(usize - sizeof(c))] = 0x5a;
				v.bad(true, E2BIG);
			}
		}
		c.argsz = uint32_t(usize);
		if (rng_.pct(3)) {
			c.argsz ^= 1U << rng_.below(12);
			v.bad(true, EINVAL);
		}
		big.c = c;
		const Ptr ap = pick_ptr(rng_, 5);
		v.bad(!readable(ap) && usize >= 8, EFAULT);
		const uint64_t at = arena_.place(ap, &big, sizeof(big), 0);
		const unsigned long cmd =
			_IOC(_IOC_READ | _IOC_WRITE, CENALLOC_IOC_MAGIC, 0x1, usize);
		const int r = xioctl(cen_.get(), cmd, reinterpret_cast<void *>(at));
		cenalloc_create out{};
		if (!r)
			arena_.fetch(at, &out, sizeof(out));
		judge(r, v, "len " + hex(c.len) + " flags " + hex(c.flags) +
				    " fd_flags " + hex(c.fd_flags) + " hints " +
				    std::to_string(c.nr_hints) + " size " +
				    std::to_string(usize));
		if (!r)
			keep(UniqueFd(out.fd), tag, c.len, c.fd_flags & O_ACCMODE,
			     hinted, &out);
	}

	// A new buffer: check what CREATE / ALLOC said, then shelve it.
	void keep(UniqueFd fd, uint64_t tag, uint64_t len, int accmode,
		  bool hinted, const cenalloc_create *out)
	{
		if (!fd) {
			ctx_.found.add(kOracle, std::string(cur_) + " succeeded without an fd");
			return;
		}
		const uint64_t size = (len + kPage - 1) & ~(kPage - 1);
		const off_t end = ::lseek(fd.get(), 0, SEEK_END);
		if (uint64_t(end) != size)
			ctx_.found.add(kOracle, std::string(cur_) + ": size " +
					      std::to_string(end) + ", asked " + hex(len));
		const int fl = ::fcntl(fd.get(), F_GETFL);
		if ((fl & O_ACCMODE) != accmode)
			ctx_.found.add(kOracle, std::string(cur_) + ": fd mode " +
					      hex(fl) + " instead of " + hex(accmode));
		if (out && !out->id)
			ctx_.found.add(kOracle, "CREATE returned buffer id 0");
		auto st = std::make_shared<BufState>();
		st->tag = tag;
		st->size = size;
		st->touchable = size <= kTouchable && accmode != O_WRONLY;
		st->constrained = hinted;
		auto b = std::make_shared<Buf>();
		b->st = st;
		b->fd = std::move(fd);
		b->accmode = accmode;
		bufs_.put(std::move(b));	// full: closed right here
	}

	// ---- DMA_HEAP_IOCTL_ALLOC --------------------------------------------

	void op_heap_alloc()
	{
		dma_heap_allocation_data d{};
		Verdict v;
		d.len = random_len();
		d.fd_flags = O_RDWR | O_CLOEXEC;
		if (rng_.pct(10))
			d.fd_flags = rng_.pct(50) ? O_RDONLY : uint32_t(rng_.next());
		if (rng_.pct(3))
			d.heap_flags = 1ULL << rng_.below(64);
		if (rng_.pct(3))
			d.fd = uint32_t(rng_.next()) | 1;
		v.bad(d.fd != 0, EINVAL);
		v.bad(d.fd_flags & ~(O_ACCMODE | O_CLOEXEC), EINVAL);
		v.bad(d.heap_flags != 0, EINVAL);
		v.bad(d.len == 0 || d.len > ~0ULL - kPage, EINVAL);
		if (d.len > ~0ULL - kPage)
			v.maybe.push_back(E2BIG);
		else
			v.bad(d.len > ctx_.limit, E2BIG, kSizeLimit);
		v.maybe.push_back(ENOMEM);
		const Ptr ap = pick_ptr(rng_, 5);
		v.bad(!readable(ap), EFAULT);
		const uint64_t at = arena_.place(ap, &d, sizeof(d), 0);
		const int r = xioctl(heap_.get(), DMA_HEAP_IOCTL_ALLOC,
				     reinterpret_cast<void *>(at));
		dma_heap_allocation_data out{};
		if (!r)
			arena_.fetch(at, &out, sizeof(out));
		judge(r, v, "len " + hex(d.len) + " fd_flags " + hex(d.fd_flags));
		if (!r)
			keep(UniqueFd(int(out.fd)), new_tag(), d.len,
			     d.fd_flags & O_ACCMODE, false, nullptr);
	}

	// ---- random commands, sizes and bytes --------------------------------

	// Anything goes; the answer must be an error from the ABI's list or a
	// success, and a success that made a buffer must say so.
	void op_raw_ioctl()
	{
		const bool heap = rng_.pct(25);
		const unsigned dir = rng_.below(4);
		const unsigned nr = heap ? rng_.below(2) : rng_.below(7);
		const size_t size = rng_.pct(70) ? rng_.range(0, 1100)
						 : rng_.below(1U << 14);
		std::vector<uint8_t> bytes(size + 8, 0);
		if (size >= 4 && rng_.pct(70)) {
			const uint32_t a = uint32_t(size);
			std::memcpy(bytes.data(), &a, 4);
		}
		for (unsigned i = rng_.below(4); i && size; i--)
			bytes[rng_.below(size)] = uint8_t(rng_.next());
		const unsigned long cmd = _IOC(dir, heap ? DMA_HEAP_IOC_MAGIC
							 : CENALLOC_IOC_MAGIC, nr, size);
		const Ptr ap = pick_ptr(rng_, 10);
		const uint64_t at = arena_.place(ap, bytes.data(),
						 std::min<size_t>(size, 4 * kPage), 0);
		const int r = xioctl(heap ? heap_.get() : cen_.get(), cmd,
				     reinterpret_cast<void *>(at));
		static const std::set<int> abi = {EINVAL, E2BIG, EFAULT, ENOTTY,
						  EPERM, ENOENT, EBADF, ENODEV,
						  ENOMEM, EOPNOTSUPP};
		if (r && !abi.count(-r))
			ctx_.found.add(kOracle, std::string("raw ioctl ") + hex(cmd) +
						      " returned " + strerrorname_np(-r));
		ctx_.ops.add(cur_, r == 0);
		if (!r && readable(ap))
			adopt_raw(heap, dir, nr, size, at);
	}

	// A raw CREATE or ALLOC that succeeded made a descriptor; take it if
	// the struct was long enough to carry it back (else the sweep at the
	// end finds it).
	void adopt_raw(bool heap, unsigned dir, unsigned nr, size_t size,
		       uint64_t at)
	{
		const size_t off = heap ? offsetof(dma_heap_allocation_data, fd)
					: offsetof(cenalloc_create, fd);
		if (nr != (heap ? 0U : 1U))
			return;
		if (size < off + 4 || !(dir & _IOC_READ)) {
			// cenalloc's own CREATE must not do this; the dma-heap
			// core does the same as this imitation (noted only).
			ctx_.found.add(heap ? "note:heap-fd-not-returned" : kLostFd,
				       "ioctl " + hex(_IOC(dir, heap ? DMA_HEAP_IOC_MAGIC
							       : CENALLOC_IOC_MAGIC, nr, size)) +
				       " succeeded with a struct of " + std::to_string(size) +
				       " bytes: the new fd is not returned");
			return;
		}
		int32_t fd;
		arena_.fetch(at + off, &fd, sizeof(fd));
		struct stat s {};
		if (fd >= 0 && ::fstat(fd, &s) == 0)
			keep(UniqueFd(fd), new_tag(), uint64_t(::lseek(fd, 0, SEEK_END)),
			     ::fcntl(fd, F_GETFL) & O_ACCMODE, true, nullptr);
	}

	// ---- QUERY -----------------------------------------------------------

	void op_query()
	{
		auto q = argsz<cenalloc_query>();
		Verdict v;
		std::vector<uint8_t> arr(12 * kPage, 0);
		q.backends_cap = rng_.below(10);
		q.backend_entry_size = rng_.pct(80) ? sizeof(cenalloc_backend_info)
						    : rng_.pick(std::vector<uint32_t>{
							0, 8, 200, kPage, kPage + 1});
		const Ptr bp = rng_.pct(15) ? Ptr::null : pick_ptr(rng_, 10);
		const size_t want = std::min<size_t>(arr.size(),
			size_t(q.backends_cap) * q.backend_entry_size);
		q.backends_ptr = arena_.place(bp, arr.data(), want, 1);
		if (rng_.pct(3))
			q.flags = 1U << rng_.below(32);
		if (rng_.pct(3))
			q.reserved[rng_.below(4)] = 1;
		if (rng_.pct(3))
			q.page_size = 4096;
		v.bad(q.flags || q.reserved[0] || q.reserved[1] || q.reserved[2] ||
		      q.reserved[3] || q.page_size, EINVAL);
		v.bad(q.backends_ptr && (!q.backend_entry_size ||
					 q.backend_entry_size > kPage), EINVAL);
		// Straddling the guard page, the entries may fit before it.
		v.bad(q.backends_ptr && q.backends_cap && !readable(bp) &&
		      bp != Ptr::straddle, EFAULT);
		if (bp == Ptr::straddle)
			v.maybe.push_back(EFAULT);
		const Ptr ap = pick_ptr(rng_, 5);
		v.bad(!readable(ap), EFAULT);
		const uint64_t at = arena_.place(ap, &q, sizeof(q), 0);
		const int r = xioctl(cen_.get(), CENALLOC_IOC_QUERY,
				     reinterpret_cast<void *>(at));
		judge(r, v, "cap " + std::to_string(q.backends_cap) + " entry " +
				    std::to_string(q.backend_entry_size));
		if (r)
			return;
		cenalloc_query out{};
		arena_.fetch(at, &out, sizeof(out));
		if (out.abi_version != CENALLOC_ABI_VERSION || out.nr_backends < 2 ||
		    out.page_size != kPage)
			ctx_.found.add(kOracle, "QUERY answered abi " +
					      std::to_string(out.abi_version) + " backends " +
					      std::to_string(out.nr_backends));
	}

	// ---- INFO ------------------------------------------------------------

	void op_info()
	{
		auto i = argsz<cenalloc_info>();
		Verdict v;
		auto b = bufs_.any(rng_);
		UniqueFd other;
		const unsigned k = rng_.below(10);
		if (k == 0) {
			i.fd = -1;
			v.bad(true, EBADF);
		} else if (k == 1) {
			other = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
			i.fd = other.get();
			v.bad(true, EINVAL);	// not a dma-buf
		} else if (k == 2) {
			i.flags = CENALLOC_INFO_BY_ID;
			i.id = rng_.pct(50) ? rng_.range(1, ctx_.next_tag + 10) : rng_.next();
			v.bad(!ctx_.root, EPERM);
			if (ctx_.root) {
				v.maybe.push_back(ENOENT);
				v.success_too = true;
			}
		} else if (b) {
			i.fd = b->fd.get();
		} else {
			i.fd = cen_.get();	// the device node itself
			v.bad(true, EINVAL);
		}
		if (rng_.pct(3)) {
			i.flags |= 1U << rng_.below(32);
			v.bad(i.flags & ~CENALLOC_INFO_BY_ID, EINVAL);
		}
		if (rng_.pct(3)) {
			i.reason[0] = 'x';	// an output given as input
			v.bad(true, EINVAL);
		}
		v.bad((i.flags & CENALLOC_INFO_BY_ID) ? i.fd != 0 : i.id != 0, EINVAL);
		std::vector<uint8_t> arr(8 * kPage, 0);
		i.attach_cap = rng_.below(8);
		i.attach_entry_size = rng_.pct(80) ? sizeof(cenalloc_attach_info)
						   : rng_.pick(std::vector<uint32_t>{0, 16, kPage + 8});
		const Ptr bp = rng_.pct(30) ? Ptr::null : pick_ptr(rng_, 10);
		i.attach_ptr = arena_.place(bp, arr.data(),
			std::min<size_t>(arr.size(), size_t(i.attach_cap) *
						     std::min<uint32_t>(i.attach_entry_size, kPage)), 1);
		v.bad(i.attach_ptr && (!i.attach_entry_size ||
				       i.attach_entry_size > kPage), EINVAL);
		if (i.attach_ptr && i.attach_cap && !readable(bp)) {
			v.maybe.push_back(EFAULT);	// only if there are members
		}
		const Ptr ap = pick_ptr(rng_, 5);
		v.bad(!readable(ap), EFAULT);
		const uint64_t at = arena_.place(ap, &i, sizeof(i), 0);
		const int r = xioctl(cen_.get(), CENALLOC_IOC_INFO,
				     reinterpret_cast<void *>(at));
		judge(r, v, "fd " + std::to_string(i.fd) + " flags " + hex(i.flags));
		if (r)
			return;
		cenalloc_info out{};
		arena_.fetch(at, &out, sizeof(out));
		check_info(out, b && k > 2 && !(i.flags & CENALLOC_INFO_BY_ID)
					? b->st.get() : nullptr);
	}

	void check_info(const cenalloc_info &out, const BufState *st)
	{
		const std::initializer_list<std::pair<const char *, size_t>> strings = {
			{out.last_reason, sizeof(out.last_reason)},
			{out.reason, sizeof(out.reason)},
			{out.migration_reason, sizeof(out.migration_reason)},
			{out.name, sizeof(out.name)},
			{out.backend, sizeof(out.backend)}};
		for (const auto &[s, n] : strings)
			if (!std::memchr(s, 0, n))
				ctx_.found.add(kOracle, "INFO string without terminator");
		if (st && out.len != st->size)
			ctx_.found.add(kOracle, "INFO len " + std::to_string(out.len) +
					      " of a " + std::to_string(st->size) + " byte buffer");
		std::string leak = physical_address_in(out, ctx_.phys.ranges());
		if (!leak.empty())
			ctx_.found.add(kPhys, "INFO reason: " + leak);
	}

	// ---- PROFILE_SET / PROFILE_CLEAR -------------------------------------

	void op_profile()
	{
		auto p = argsz<cenalloc_profile>();
		Verdict v;
		const bool set = rng_.pct(55);
		p.flags = CENALLOC_MATCH_NAME;
		// Names of devices that scatter for real (see setup_importer):
		// whatever a valid profile says of them stays true.
		std::snprintf(p.device, sizeof(p.device), "fz-p%u", unsigned(rng_.below(8)));
		if (set) {
			p.c.valid = CENALLOC_C_MAX_SEGMENTS;
			p.c.max_segments = rng_.pct(50) ? 1 : 0xffffffff;
			if (rng_.pct(50)) {
				p.c.valid |= CENALLOC_C_ADDR_LIMIT;
				p.c.addr_limit = 0xffffffffULL;
			}
		} else if (rng_.pct(10)) {
			p = argsz<cenalloc_profile>();
			p.flags = CENALLOC_PROFILE_CLEAR_ALL;
		}
		switch (rng_.below(12)) {
		case 0:
			p.flags |= 1U << rng_.below(32);
			v.bad(p.flags & ~(CENALLOC_MATCH_NAME | CENALLOC_MATCH_DRIVER |
					  CENALLOC_MATCH_BUS | CENALLOC_PROFILE_CLEAR_ALL) ||
			      (set && (p.flags & CENALLOC_PROFILE_CLEAR_ALL)) ||
			      (p.flags & (CENALLOC_MATCH_DRIVER | CENALLOC_MATCH_BUS)) ||
			      ((p.flags & CENALLOC_PROFILE_CLEAR_ALL) &&
			       p.flags != CENALLOC_PROFILE_CLEAR_ALL), EINVAL);
			v.maybe.push_back(EINVAL);
			break;
		case 1:
			p.reserved[rng_.below(4)] = 1;
			v.bad(true, EINVAL);
			break;
		case 2:
			std::memset(p.bus, 'b', sizeof(p.bus));
			v.bad(true, EINVAL);
			break;
		case 3:
			p.c.valid |= CENALLOC_C_ALIGN;
			p.c.align = 6;
			v.bad(true, EINVAL);
			break;
		default:
			break;
		}
		v.bad(!ctx_.root, EPERM);
		if (!set && ctx_.root)
			v.maybe.push_back(ENOENT);	// nothing (left) to clear
		const Ptr ap = pick_ptr(rng_, 5);
		v.bad(ctx_.root && !readable(ap), EFAULT);
		const uint64_t at = arena_.place(ap, &p, sizeof(p), 0);
		const int r = xioctl(cen_.get(), set ? CENALLOC_IOC_PROFILE_SET
						     : CENALLOC_IOC_PROFILE_CLEAR,
				     reinterpret_cast<void *>(at));
		judge(r, v, std::string(set ? "SET " : "CLEAR ") + p.device +
				    " flags " + hex(p.flags));
	}

	// ---- mmap and the bytes behind it ------------------------------------

	void op_mmap()
	{
		auto b = bufs_.any(rng_);
		if (!b)
			return;
		const uint64_t pages = b->st->size / kPage;
		uint64_t off = rng_.pct(50) ? 0 : rng_.below(pages + 2);
		uint64_t len = rng_.pct(50) ? (pages - std::min(off, pages)) * kPage
					    : rng_.range(1, std::min<uint64_t>(pages, 4096) + 1) * kPage;
		if (rng_.pct(5))
			len = rng_.range(1, 3 * kPage);	// not whole pages
		if (len == 0)
			len = kPage;
		const int prot = rng_.pct(20) ? PROT_READ : PROT_READ | PROT_WRITE;
		const bool priv = ctx_.opt.private_maps && rng_.pct(10);
		Verdict v;
		const uint64_t npages = (len + kPage - 1) / kPage;
		v.bad(off + npages > pages, EINVAL);
		v.bad(priv, EINVAL, kPrivate);
		v.bad(b->accmode == O_WRONLY || b->accmode == O_ACCMODE ||
		      (b->accmode == O_RDONLY && (prot & PROT_WRITE) && !priv), EACCES);
		v.maybe.push_back(ENOMEM);	// no address space for a huge one
		void *p = ::mmap(nullptr, len, prot, priv ? MAP_PRIVATE : MAP_SHARED,
				 b->fd.get(), off * kPage);
		const int r = p == MAP_FAILED ? -errno : 0;
		judge(r, v, "buffer " + std::to_string(b->st->size) + " off " +
				    std::to_string(off) + " pages, len " + std::to_string(len) +
				    (priv ? " MAP_PRIVATE" : ""));
		if (r)
			return;
		if (priv) {	// refused by the fixed module; never touched
			::munmap(p, len);
			return;
		}
		auto m = std::make_shared<Map>();
		m->st = b->st;
		m->fd = UniqueFd(::fcntl(b->fd.get(), F_DUPFD_CLOEXEC, 0));
		m->p = static_cast<uint8_t *>(p);
		m->off = off * kPage;
		m->len = npages * kPage;
		m->prot = prot;
		maps_.put(std::move(m));
	}

	void op_munmap() { maps_.take(rng_); }

	// Back the buffer through SYNC before the first access: a failed
	// allocation is then an error code, not a SIGBUS.
	bool back(Map &m, uint64_t flags)
	{
		if (!m.st->touchable)
			return false;
		dma_buf_sync s{.flags = DMA_BUF_SYNC_START | flags};
		const int r = xioctl(m.fd.get(), DMA_BUF_IOCTL_SYNC, &s);
		if (r == -ENOMEM && m.st->constrained)
			return false;
		if (r == -EDQUOT && !ctx_.root)
			return false;
		if (r) {
			ctx_.found.add(kOracle, "SYNC START on a mapped buffer: " +
					      std::string(strerrorname_np(-r)));
			return false;
		}
		m.backed = true;
		return true;
	}

	void end_sync(Map &m, uint64_t flags)
	{
		dma_buf_sync s{.flags = DMA_BUF_SYNC_END | flags};
		const int r = xioctl(m.fd.get(), DMA_BUF_IOCTL_SYNC, &s);
		if (r)
			ctx_.found.add(kOracle, "SYNC END: " + std::string(strerrorname_np(-r)));
	}

	// A random piece of @m: [off, off + len) inside the mapping.
	std::pair<uint64_t, uint64_t> piece(const Map &m)
	{
		const uint64_t len = std::min<uint64_t>(m.len, rng_.pct(30) ? kTouchMax
						: rng_.range(1, 16) * kPage);
		const uint64_t at = rng_.below((m.len - len) / 8 + 1) * 8;
		return {at, len & ~7ULL};
	}

	void op_read()
	{
		auto m = maps_.any(rng_);
		if (!m || !back(*m, DMA_BUF_SYNC_READ)) {
			ctx_.ops.add(cur_, false);
			return;
		}
		auto [at, len] = piece(*m);
		std::string bad;
		bool fresh;
		{
			std::lock_guard l(m->st->mu);	// "fresh" stays true meanwhile
			fresh = !m->st->written;
			if (fresh)
				bad = read_checked(*m, at, len, true);
		}
		if (!fresh)
			bad = read_checked(*m, at, len, false);
		if (!bad.empty())
			ctx_.found.add(bad.rfind("signal", 0) == 0 ? kFault : kBytes,
				       (fresh ? "fresh buffer: " : "") + bad);
		end_sync(*m, DMA_BUF_SYNC_READ);
		ctx_.ops.add(cur_, bad.empty());
	}

	std::string read_checked(const Map &m, uint64_t at, uint64_t len, bool zero)
	{
		std::string bad;
		const int sig = guarded([&] {
			bad = foreign_word(m.p + at, m.off + at, len, m.st->tag, zero);
		});
		if (sig)
			return "signal " + std::to_string(sig) + " reading buffer " +
			       std::to_string(m.st->tag) + " at " + hex(m.off + at);
		return bad;
	}

	void op_write()
	{
		auto m = maps_.any(rng_);
		if (!m || !(m->prot & PROT_WRITE) || !back(*m, DMA_BUF_SYNC_WRITE)) {
			ctx_.ops.add(cur_, false);
			return;
		}
		auto [at, len] = piece(*m);
		int sig;
		{
			std::lock_guard l(m->st->mu);
			if (!m->st->written) {
				// The first writer checks the fresh bytes first.
				const std::string bad = read_checked(*m, 0, m->len, true);
				if (!bad.empty())
					ctx_.found.add(kBytes, "fresh buffer: " + bad);
			}
			m->st->written = true;
			sig = guarded([&] { fill(m->p + at, m->off + at, len, m->st->tag); });
		}
		if (sig)
			ctx_.found.add(kFault, "signal " + std::to_string(sig) +
					     " writing buffer " + std::to_string(m->st->tag));
		end_sync(*m, DMA_BUF_SYNC_WRITE);
		ctx_.ops.add(cur_, sig == 0);
	}

	// ---- the dma-buf's own ioctls, dup, lseek, close ---------------------

	void op_sync()
	{
		auto b = bufs_.any(rng_);
		if (!b)
			return;
		dma_buf_sync s{};
		s.flags = rng_.pct(80) ? rng_.pick(std::vector<uint64_t>{
			DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW}) |
			(rng_.pct(50) ? DMA_BUF_SYNC_END : 0) : rng_.next() >> rng_.below(64);
		Verdict v;
		const bool valid = !(s.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) &&
				   (s.flags & DMA_BUF_SYNC_RW);
		v.bad(!valid, EINVAL);
		if (valid && !b->st->touchable) {	// would allocate gigabytes
			ctx_.ops.add(cur_, false);
			return;
		}
		if (b->st->constrained)
			v.maybe.push_back(ENOMEM);
		if (!ctx_.root)
			v.maybe.push_back(EDQUOT);
		const int r = xioctl(b->fd.get(), DMA_BUF_IOCTL_SYNC, &s);
		judge(r, v, "flags " + hex(s.flags));
	}

	void op_set_name()
	{
		auto b = bufs_.any(rng_);
		if (!b)
			return;
		char name[64];
		const size_t n = rng_.pct(80) ? rng_.below(DMA_BUF_NAME_LEN) : rng_.range(32, 63);
		std::memset(name, 'a' + int(rng_.below(26)), n);
		name[n] = 0;
		const Ptr p = pick_ptr(rng_, 10);
		Verdict v;
		v.bad(!readable(p), EFAULT);
		v.bad(readable(p) && n >= DMA_BUF_NAME_LEN, EINVAL);
		if (p == Ptr::straddle) {
			// Half of it is readable: a short name may be whole,
			// a long one already too long.
			v.success_too = n < 4;
			v.maybe.push_back(EINVAL);
		}
		const uint64_t at = arena_.place(p, name, n + 1, 0);
		const int r = xioctl(b->fd.get(), DMA_BUF_SET_NAME_B,
				     reinterpret_cast<void *>(at));
		judge(r, v, "name of " + std::to_string(n) + " bytes");
	}

	void op_close() { bufs_.take(rng_); }

	void op_dup()
	{
		auto b = bufs_.any(rng_);
		if (!b)
			return;
		auto d = std::make_shared<Buf>();
		d->st = b->st;
		d->accmode = b->accmode;
		d->fd = UniqueFd(::fcntl(b->fd.get(), F_DUPFD_CLOEXEC, 0));
		ctx_.ops.add(cur_, bool(d->fd));
		if (d->fd)
			bufs_.put(std::move(d));
	}

	void op_lseek()
	{
		auto b = bufs_.any(rng_);
		if (!b)
			return;
		const int whence = int(rng_.below(5));
		const off_t off = rng_.pct(70) ? 0 : off_t(rng_.next() >> 2);
		const off_t r = ::lseek(b->fd.get(), off, whence);
		const int err = r < 0 ? errno : 0;
		const bool good = (whence == SEEK_SET || whence == SEEK_END) && off == 0;
		const off_t want = whence == SEEK_END ? off_t(b->st->size) : 0;
		ctx_.ops.add(cur_, r >= 0);
		if (good ? r != want : err != EINVAL)
			ctx_.found.add(kOracle, "lseek(" + std::to_string(off) + ", " +
					      std::to_string(whence) + ") = " + std::to_string(r) +
					      " errno " + std::to_string(err));
	}

	// ---- vgem (DRM PRIME: attach and map at import) -----------------------

	void op_vgem_import()
	{
		auto b = bufs_.any(rng_);
		if (!card_ || !b || !b->st->touchable || b->accmode == O_WRONLY)
			return;
		drm_prime_handle_arg p{.handle = 0, .flags = 0, .fd = b->fd.get()};
		Verdict v;
		v.success_too = true;
		// Late attach of a contiguous device: moved, or busy, or no
		// memory for it; an infeasible merge; too many members.
		for (int e : {EBUSY, ENOMEM, EINVAL, E2BIG, ENOSPC})
			v.maybe.push_back(e);
		if (!ctx_.root)
			v.maybe.push_back(EDQUOT);
		b->st->constrained = true;	// vgem: no IOMMU, contiguous
		const int r = xioctl(card_.get(), kDrmPrimeFdToHandle, &p);
		judge(r, v, "buffer of " + std::to_string(b->st->size));
		if (!r && std::find(gem_.begin(), gem_.end(), p.handle) == gem_.end())
			gem_.push_back(p.handle);
	}

	void op_gem_close()
	{
		if (gem_.empty())
			return;
		const size_t i = rng_.below(gem_.size());
		drm_gem_close_arg c{.handle = gem_[i], .pad = 0};
		gem_[i] = gem_.back();
		gem_.pop_back();
		Verdict v;
		judge(xioctl(card_.get(), kDrmGemClose, &c), v, "handle");
	}

	// ---- cen_importer: devices of different constraints ------------------

	void setup_importer()
	{
		if (!Importer::available())
			return;
		imp_.emplace();
		const std::string p = "fz" + std::to_string(id_) + "-";
		std::vector<DeviceSpec> specs = {
			{.name = p + "cam", .dma_bits = 32, .max_seg_size = UINT32_MAX,
			 .flags = CEN_IMP_DEV_CONTIG},
			{.name = p + "gpu", .dma_bits = 64, .max_seg_size = UINT32_MAX,
			 .declare = CEN_IMP_DECLARE_SCATTER, .flags = CEN_IMP_DEV_DECL_IOMMU},
			{.name = p + "disp", .dma_bits = 32, .max_seg_size = 64 * kKiB,
			 .declare = CEN_IMP_DECLARE_SCATTER},
			// Scatters for real, says nothing: the profiles above
			// make it contiguous or 32-bit, both true of it too.
			{.name = "fz-p" + std::to_string(id_), .dma_bits = 64,
			 .max_seg_size = UINT32_MAX},
		};
		for (const auto &s : specs) {
			Device d;
			if (imp_->try_create_device(s, &d) == 0) {
				dev_names_.push_back(d.name());
				devs_.push_back(std::move(d));
			}
		}
	}

	struct Att {
		std::shared_ptr<BufState> st;
		Attachment a;
		Mapping m;
	};

	void op_imp_attach()
	{
		auto b = bufs_.any(rng_);
		if (devs_.empty() || !b || atts_.size() >= 24)
			return;
		auto at = std::make_unique<Att>();
		at->st = b->st;
		Verdict v;
		v.success_too = true;
		for (int e : {EBUSY, ENOMEM, EINVAL, E2BIG})
			v.maybe.push_back(e);
		Device &d = devs_[rng_.below(devs_.size())];
		b->st->constrained = true;
		const int r = d.try_attach(b->fd.get(), &at->a);
		judge(r, v, "device " + d.name());
		if (!r)
			atts_.push_back(std::move(at));
	}

	void op_imp_map()
	{
		if (atts_.empty())
			return;
		Att &at = *atts_[rng_.below(atts_.size())];
		if (at.m || !at.st->touchable)
			return;
		Verdict v;
		v.maybe.push_back(ENOMEM);
		const int r = at.a.try_map(&at.m);
		judge(r, v, "buffer of " + std::to_string(at.st->size));
		if (r)
			return;
		if (!at.m.pass())
			ctx_.found.add(kOracle, "mapping breaks the device's constraints: " +
					      at.m.describe());
		ctx_.phys.add(at.m.report().r);
	}

	void op_imp_unmap()
	{
		if (!atts_.empty())
			atts_[rng_.below(atts_.size())]->m = Mapping();
		ctx_.ops.add(cur_, true);
	}

	void op_imp_detach()
	{
		if (atts_.empty())
			return;
		const size_t i = rng_.below(atts_.size());
		atts_[i] = std::move(atts_.back());
		atts_.pop_back();
		ctx_.ops.add(cur_, true);
	}

	// vmap, then read a page of it: zero or the buffer's own bytes.  Only
	// of a buffer that has memory: when the allocation a vmap makes fails,
	// the dma-buf core WARNs (dma_buf_vmap: WARN_ON_ONCE(ret)), which the
	// harness counts as a failure (Finding.VmapThatCannotAllocate).
	void op_imp_vmap()
	{
		auto b = bufs_.any(rng_);
		if (!imp_ || !b || !b->st->touchable || !backed(b->fd.get()))
			return;
		VMap vm;
		Verdict v;
		v.maybe.push_back(ENOMEM);
		const int r = imp_->try_vmap(b->fd.get(), &vm);
		judge(r, v, "buffer of " + std::to_string(b->st->size));
		if (r)
			return;
		const uint64_t off = rng_.below(b->st->size / kPage) * kPage;
		std::vector<uint8_t> page(kPage);
		if (vm.try_read(off, page) == 0) {
			const std::string bad = foreign_word(page.data(), off, kPage,
							     b->st->tag, false);
			if (!bad.empty())
				ctx_.found.add(kBytes, "through vmap: " + bad);
		}
	}

	bool backed(int fd)
	{
		auto i = argsz<cenalloc_info>();
		i.fd = fd;
		return xioctl(cen_.get(), CENALLOC_IOC_INFO, &i) == 0 &&
		       i.state == CENALLOC_STATE_BACKED;
	}

	void release_all()
	{
		atts_.clear();
		gem_.clear();
		card_.reset();	// closes every GEM handle
		devs_.clear();
		imp_.reset();
	}

	Ctx &ctx_;
	Shelf<Buf> &bufs_;
	Shelf<Map> &maps_;
	unsigned id_;
	Rng rng_;
	Arena arena_;
	const char *cur_ = "";
	UniqueFd cen_, heap_, card_;
	std::vector<uint32_t> gem_;
	std::optional<Importer> imp_;
	std::vector<Device> devs_;
	std::vector<std::string> dev_names_;
	const std::string distro_platform_dev_ = distro_platform_device();
	std::vector<std::unique_ptr<Att>> atts_;
};

// dma-buf descriptors the process holds (after the shelves are empty:
// ones a raw CREATE made but could not return); closed.
size_t sweep_dmabuf_fds()
{
	size_t n = 0;
	DIR *d = ::opendir("/proc/self/fd");
	if (!d)
		return 0;
	std::vector<int> fds;
	while (dirent *e = ::readdir(d)) {
		char link[64] = {};
		const std::string p = std::string("/proc/self/fd/") + e->d_name;
		if (::readlink(p.c_str(), link, sizeof(link) - 1) > 0 &&
		    std::strstr(link, "dmabuf"))
			fds.push_back(std::atoi(e->d_name));
	}
	::closedir(d);
	for (int fd : fds)
		n += ::close(fd) == 0;
	return n;
}

// One run: threads until the deadline or the operation budget.
struct FuzzRun {
	Ctx ctx;
	Snapshot start, end;
	size_t lost_fds = 0;
	int profile_clear = 0;
};

void run_workers(Ctx &ctx, Shelf<Buf> &bufs, Shelf<Map> &maps)
{
	std::vector<std::thread> threads;
	for (unsigned t = 0; t < ctx.opt.threads; t++)
		threads.emplace_back([&, t] {
			try {
				Worker(ctx, bufs, maps, t).run();
			} catch (const std::exception &e) {
				ctx.found.add(kOracle, std::string("worker: ") + e.what());
			}
		});
	for (auto &t : threads)
		t.join();
	maps.clear();
	bufs.clear();
}

std::string summary_line(const char *who, const Ctx &ctx, double secs)
{
	std::ostringstream s;
	s << "fuzz: " << who << " seed=" << ctx.opt.seed << " threads="
	  << ctx.opt.threads << " seconds=" << secs << " steps=" << ctx.done
	  << " ops=" << ctx.ops.total()
	  << ctx.ops.summary();
	return s.str();
}

// Descriptors ALLOC makes but cannot return (as the dma-heap core, see
// adopt_raw) stay open until the sweep at the end: room for a long run.
void raise_fd_limit()
{
	rlimit rl{};
	::getrlimit(RLIMIT_NOFILE, &rl);
	const rlimit want{1U << 20, 1U << 20};
	if (::setrlimit(RLIMIT_NOFILE, &want)) {
		rl.rlim_cur = rl.rlim_max;
		::setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void fuzz(FuzzRun &run, bool root, std::optional<double> seconds = {})
{
	Ctx &ctx = run.ctx;
	ctx.opt = options();
	if (seconds) {
		ctx.opt.seconds = *seconds;
		ctx.opt.ops = 0;
	}
	ctx.root = root;
	ctx.limit = size_limit();
	Cenalloc cen;
	ctx.move_notify = cen.query().features & CENALLOC_FEAT_MOVE_NOTIFY;
	run.start = snapshot(cen);
	install_fault_handlers();
	raise_fd_limit();
	std::printf("fuzz: seed %" PRIu64 " (replay: --seed=%" PRIu64
		    " or CEN_FUZZ_SEED), %u threads, %s\n", ctx.opt.seed,
		    ctx.opt.seed, ctx.opt.threads,
		    ctx.opt.ops ? (std::to_string(ctx.opt.ops) + " operations").c_str()
				: (std::to_string(ctx.opt.seconds) + " s").c_str());
	const auto t0 = std::chrono::steady_clock::now();
	ctx.deadline = t0 + std::chrono::milliseconds(int64_t(ctx.opt.seconds * 1000));
	Shelf<Buf> bufs(48);
	Shelf<Map> maps(32);
	run_workers(ctx, bufs, maps);
	const double secs = std::chrono::duration<double>(
		std::chrono::steady_clock::now() - t0).count();
	run.lost_fds = sweep_dmabuf_fds();
	if (root) {
		auto p = argsz<cenalloc_profile>();
		p.flags = CENALLOC_PROFILE_CLEAR_ALL;
		run.profile_clear = cen.ioc(CENALLOC_IOC_PROFILE_CLEAR, &p);
	}
	run.end = settle(cen, run.start);
	note(summary_line(root ? "root" : "unprivileged", ctx, secs) +
	     " swept_fds=" + std::to_string(run.lost_fds));
	for (const auto &c : ctx.found.categories())
		std::printf("fuzz: %s: %s\n", c.c_str(), ctx.found.describe(c).c_str());
}

// The root run, done by whichever test asks first.
FuzzRun &root_run()
{
	static std::unique_ptr<FuzzRun> run = [] {
		auto r = std::make_unique<FuzzRun>();
		fuzz(*r, true);
		return r;
	}();
	return *run;
}

bool module_loaded()
{
	return Cenalloc::available() && Importer::available();
}

#define NEED_MODULE()                                                    \
	do {                                                             \
		if (!module_loaded())                                    \
			GTEST_SKIP() << "cenalloc.ko or cen_importer.ko not loaded"; \
	} while (0)

TEST(FuzzOps, EveryAnswerIsOneTheAbiAllows)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	EXPECT_GT(c.ops.total(), 0U);
	EXPECT_EQ(c.found.count(kOracle), 0U) << c.found.describe(kOracle);
}

TEST(FuzzOps, NoMappingShowsAnotherBuffersOrStaleBytes)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	EXPECT_EQ(c.found.count(kBytes), 0U) << c.found.describe(kBytes);
	EXPECT_EQ(c.found.count(kFault), 0U) << c.found.describe(kFault);
}

TEST(FuzzOps, CountersReturnToTheirStartWhenEverythingIsClosed)
{
	NEED_MODULE();
	FuzzRun &r = root_run();
	EXPECT_EQ(r.end, r.start) << "start: " << r.start.describe()
				  << "\nend:   " << r.end.describe();
	for (const auto &[name, used] : r.end.used)
		EXPECT_EQ(used, 0U) << name << " still has bytes in use";
	EXPECT_EQ(r.profile_clear, 0);
}

// A CREATE / ALLOC whose struct is too short to carry the fd back must
// fail rather than install a descriptor the caller never learns of.
TEST(FuzzOps, NoDescriptorIsCreatedWithoutBeingReturned)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	EXPECT_EQ(c.found.count(kLostFd), 0U) << c.found.describe(kLostFd);
}

TEST(FuzzOps, LongModeDidItsOperations)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	if (!c.opt.ops)
		GTEST_SKIP() << "time-bounded run (--ops=N / CEN_FUZZ_OPS for the long mode)";
	// Steps include the ones that found nothing to work on (no buffer
	// yet); ops= in the summary counts those that did something.
	EXPECT_GE(c.done.load(), c.opt.ops);
	EXPECT_GE(c.ops.total(), c.opt.ops / 2);
}

// A vmap that has to allocate and cannot: the exporter's vmap returns
// -ENOMEM and the dma-buf core WARNs about it (WARN_ON_ONCE in
// dma_buf_vmap), a kernel report any importer's vmap can provoke.  Found
// by this fuzzer; off unless --vmap-unbacked / CEN_FUZZ_VMAP_UNBACKED=1,
// since the report fails the whole run until the exporter allocates
// elsewhere or the core stops warning.
TEST(Finding, VmapThatCannotAllocate)
{
	NEED_MODULE();
	if (option("vmap-unbacked", "CEN_FUZZ_VMAP_UNBACKED", "0") != "1")
		GTEST_SKIP() << "provokes a WARNING on the module as it is: "
				"--vmap-unbacked or CEN_FUZZ_VMAP_UNBACKED=1 turns it on";
	Cenalloc cen;
	Importer imp;
	const cenalloc_hint contig = hint_contiguous();
	// Contiguous and larger than the carveout and the buddy allocator.
	UniqueFd buf = cen.create(48 * kMiB, "unbackable", {contig});
	VMap v;
	EXPECT_EQ(imp.try_vmap(buf.get(), &v), -ENOMEM);
	EXPECT_EQ(cen.info(buf.get()).info.last_error, -ENOMEM);
}

// What FuzzOps.NoDescriptorIsCreatedWithoutBeingReturned looks for, made
// certain: a CREATE whose struct ends before @fd (argsz 16: argsz, flags,
// len) cannot be told its descriptor.  Accepting it installs an fd the
// caller never learns of; it must be refused.
TEST(Finding, CreateTooShortToReturnTheFdIsRefused)
{
	NEED_MODULE();
	Cenalloc cen;
	const auto before = snapshot(cen);
	struct {
		uint32_t argsz, flags;
		uint64_t len;
	} shortc{16, 0, kPage};
	const int r = cen.ioc(_IOWR(CENALLOC_IOC_MAGIC, 0x1, decltype(shortc)), &shortc);
	const size_t swept = sweep_dmabuf_fds();
	EXPECT_NE(r, 0) << "CREATE with a 16-byte struct succeeded";
	EXPECT_EQ(swept, 0U) << "an fd was installed and not returned";
	EXPECT_EQ(settle(cen, before), before);
}

// ---- behaviour being added to the module (see the file comment) ---------

TEST(Bounds, LengthsAboveRamOrSizeLimitAreE2big)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	EXPECT_EQ(c.found.count(kSizeLimit), 0U)
		<< "needs the size_limit change: " << c.found.describe(kSizeLimit);
}

TEST(Bounds, PrivateMappingsAreRefused)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	if (!c.opt.private_maps)
		GTEST_SKIP() << "left out (--private=0 / CEN_FUZZ_PRIVATE=0): "
				"a module before the fix panics on MAP_PRIVATE";
	EXPECT_EQ(c.found.count(kPrivate), 0U) << c.found.describe(kPrivate);
	// And one for certain, read after, whatever the dice did.
	Cenalloc cen;
	UniqueFd buf = cen.create(4 * kPage, "private");
	for (int prot : {PROT_READ, PROT_READ | PROT_WRITE}) {
		void *p = ::mmap(nullptr, 4 * kPage, prot, MAP_PRIVATE, buf.get(), 0);
		EXPECT_EQ(p, MAP_FAILED) << "MAP_PRIVATE mapped, prot " << prot;
		if (p != MAP_FAILED) {
			::munmap(p, 4 * kPage);
		} else {
			EXPECT_EQ(errno, EINVAL);
		}
	}
}

TEST(Bounds, ReasonsRootReadsHaveNoPhysicalAddress)
{
	NEED_MODULE();
	const Ctx &c = root_run().ctx;
	EXPECT_EQ(c.found.count(kPhys), 0U) << c.found.describe(kPhys);
}

} // namespace


// ---- an unprivileged user ------------------------------------------------

namespace {

constexpr uid_t kNobody = 65534;
// The group a distribution's udev rule would give the nodes ("video").
constexpr gid_t kNodeGroup = 44;
const char *const kNodes[] = {kCenallocPath, kCenallocHeapPath};

// The nodes as the module made them, before any test changes them.
struct NodeStat {
	std::string path;
	struct stat st {};
	int err = 0;
};

std::vector<NodeStat> stat_nodes()
{
	std::vector<NodeStat> v;
	for (const char *p : kNodes) {
		NodeStat n;
		n.path = p;
		n.err = ::stat(p, &n.st) ? errno : 0;
		v.push_back(n);
	}
	return v;
}

const std::vector<NodeStat> g_nodes_at_start = stat_nodes();

// While alive, the nodes are root:video 0660, as a udev rule
// (KERNEL=="cenalloc", GROUP="video", MODE="0660") makes them; restored.
class UdevRule {
public:
	UdevRule() : saved_(stat_nodes())
	{
		for (const char *p : kNodes)
			if (::chown(p, 0, kNodeGroup) || ::chmod(p, 0660))
				ok_ = false;
	}
	~UdevRule()
	{
		for (const auto &n : saved_)
			if (!n.err) {
				(void)!::chown(n.path.c_str(), n.st.st_uid, n.st.st_gid);
				::chmod(n.path.c_str(), n.st.st_mode & 07777);
			}
	}
	bool ok() const { return ok_; }

private:
	std::vector<NodeStat> saved_;
	bool ok_ = true;
};

// Run @fn in a child as nobody (in the nodes' group), with RLIMIT_MEMLOCK
// @memlock if not 0; its failures, one per line, come back through a pipe.
std::vector<std::string> as_nobody(uint64_t memlock,
				   const std::function<std::vector<std::string>()> &fn)
{
	int p[2];
	if (::pipe(p))
		return {"pipe: " + std::string(std::strerror(errno))};
	std::fflush(stdout);
	const pid_t pid = ::fork();
	if (pid == 0) {
		::close(p[0]);
		std::vector<std::string> out;
		const rlimit rl{memlock, memlock};
		const gid_t groups[] = {kNodeGroup};
		if ((memlock && ::setrlimit(RLIMIT_MEMLOCK, &rl)) ||
		    ::setgroups(1, groups) || ::setgid(kNobody) || ::setuid(kNobody))
			out.push_back("dropping privileges: " + std::string(std::strerror(errno)));
		else
			out = fn();
		for (const auto &l : out) {
			std::string line = l + "\n";
			(void)!::write(p[1], line.data(), line.size());
		}
		std::fflush(stdout);
		::_exit(0);
	}
	::close(p[1]);
	std::string text;
	char buf[4096];
	for (ssize_t n; (n = ::read(p[0], buf, sizeof(buf))) > 0;)
		text.append(buf, size_t(n));
	::close(p[0]);
	int status = 0;
	::waitpid(pid, &status, 0);
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string l; std::getline(in, l);)
		lines.push_back(l);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		lines.push_back("child ended with status " + hex(uint32_t(status)));
	return lines;
}

std::string joined(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &l : v)
		s += "\n  " + l;
	return s;
}

// A buffer made by the caller, mapped, SYNCed, zero on arrival, written
// and read back; "" or what went wrong.
std::string use_buffer(int fd, uint64_t len, uint64_t tag)
{
	void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return "mmap: " + std::string(std::strerror(errno));
	auto *b = static_cast<uint8_t *>(p);
	std::string bad;
	dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
	if (int r = xioctl(fd, DMA_BUF_IOCTL_SYNC, &s)) {
		bad = "SYNC START: " + std::string(strerrorname_np(-r));
	} else {
		bad = foreign_word(b, 0, len, tag, true);
		fill(b, 0, len, tag);
		if (bad.empty())
			bad = foreign_word(b, 0, len, tag, false);
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	}
	::munmap(p, len);
	return bad;
}

class Unprivileged : public testing::Test {
protected:
	void SetUp() override
	{
		if (!module_loaded())
			GTEST_SKIP() << "cenalloc.ko or cen_importer.ko not loaded";
		root_run();	// the root run first: its counters are its own
		rule_ = std::make_unique<UdevRule>();
		ASSERT_TRUE(rule_->ok()) << "chown/chmod of the nodes";
	}
	std::unique_ptr<UdevRule> rule_;
};

TEST_F(Unprivileged, MayCreateMapAndUseOrdinaryBuffers)
{
	auto failures = as_nobody(0, [] {
		std::vector<std::string> f;
		Cenalloc cen;
		UniqueFd buf = cen.create(kMiB, "nobody");
		if (auto bad = use_buffer(buf.get(), kMiB, 7); !bad.empty())
			f.push_back("CREATE buffer: " + bad);
		BufferInfo i = cen.info(buf.get());
		if (!i.backed() || i.info.len != kMiB)
			f.push_back("INFO on its own fd: " + i.reason());
		const char name[] = "nobody's";
		if (int r = xioctl(buf.get(), DMA_BUF_SET_NAME_B, const_cast<char *>(name)))
			f.push_back("SET_NAME: " + std::string(strerrorname_np(-r)));
		UniqueFd heap(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
		dma_heap_allocation_data d{};
		d.len = 64 * kKiB;
		d.fd_flags = O_RDWR | O_CLOEXEC;
		if (int r = xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &d))
			f.push_back("DMA_HEAP_IOCTL_ALLOC: " + std::string(strerrorname_np(-r)));
		else if (auto bad = use_buffer(int(d.fd), 64 * kKiB, 8); !bad.empty())
			f.push_back("heap buffer: " + bad);
		if (!d.fd)
			::close(int(d.fd));
		return f;
	});
	EXPECT_TRUE(failures.empty()) << joined(failures);
}

TEST_F(Unprivileged, RootOnlyIoctlsAreRefused)
{
	auto failures = as_nobody(0, [] {
		std::vector<std::string> f;
		Cenalloc cen;
		auto expect = [&](const char *what, int r, int want) {
			if (r != -want)
				f.push_back(std::string(what) + " returned " +
					    (r ? strerrorname_np(-r) : "success"));
		};
		auto p = argsz<cenalloc_profile>();
		p.flags = CENALLOC_MATCH_NAME;
		std::strcpy(p.device, "fz-nobody");
		expect("PROFILE_SET", cen.ioc(CENALLOC_IOC_PROFILE_SET, &p), EPERM);
		expect("PROFILE_CLEAR", cen.ioc(CENALLOC_IOC_PROFILE_CLEAR, &p), EPERM);
		auto all = argsz<cenalloc_profile>();
		all.flags = CENALLOC_PROFILE_CLEAR_ALL;
		expect("PROFILE_CLEAR all", cen.ioc(CENALLOC_IOC_PROFILE_CLEAR, &all), EPERM);
		UniqueFd buf = cen.create(kPage, "nobody");
		auto i = argsz<cenalloc_info>();
		i.flags = CENALLOC_INFO_BY_ID;
		i.id = cen.info(buf.get()).info.id;	// even its own buffer
		expect("INFO by id", cen.ioc(CENALLOC_IOC_INFO, &i), EPERM);
		if (Importer::available() && ::access(kImporterPath, R_OK | W_OK) == 0)
			f.push_back("/dev/cen_importer is open to nobody");
		return f;
	});
	EXPECT_TRUE(failures.empty()) << joined(failures);
}

TEST_F(Unprivileged, RandomOperationsStayWithinTheAbi)
{
	auto failures = as_nobody(0, [] {
		FuzzRun run;
		// A fifth of the root run's time, at most 10 s; no importer,
		// no vgem (root's), the root-only ioctls expected to be EPERM.
		fuzz(run, false, std::clamp(options().seconds / 5, 2.0, 10.0));
		std::vector<std::string> f;
		for (const auto &c : run.ctx.found.categories())
			if (c.rfind("note:", 0))
				f.push_back(c + ": " + run.ctx.found.describe(c));
		if (!(run.end == run.start))
			f.push_back("counters: start " + run.start.describe() +
				    ", end " + run.end.describe());
		return f;
	});
	EXPECT_TRUE(failures.empty()) << joined(failures);
}

} // namespace

// ---- unprivileged users and the behaviour being added -------------------

namespace {

TEST(Bounds, NodesDefaultTo0600Root)
{
	if (!module_loaded())
		GTEST_SKIP() << "cenalloc.ko not loaded";
	for (const auto &n : g_nodes_at_start) {
		ASSERT_EQ(n.err, 0) << n.path;
		EXPECT_EQ(n.st.st_mode & 07777, 0600U)
			<< n.path << " mode " << std::oct << (n.st.st_mode & 07777);
		EXPECT_EQ(n.st.st_uid, 0U) << n.path;
		EXPECT_EQ(n.st.st_gid, 0U) << n.path;
	}
}

// Buffers whose reasons talk about the memory behind them: one moved by a
// late 32-bit attach (its old pages above 4 GiB), one whose late attach
// was refused while mapped.  Their physical addresses are known to root
// through the importer; nobody reads the reasons through INFO on an fd.
struct LeakProbe {
	Importer imp;
	Cenalloc cen;
	Device gpu, cam;
	std::vector<UniqueFd> bufs;
	std::vector<Attachment> atts;
	std::vector<Mapping> maps;
	KnownPhys phys;
	std::string setup_error;

	LeakProbe()
	{
		gpu = imp.create_device(DeviceSpec{.name = "fz-leak-gpu", .dma_bits = 64,
			.max_seg_size = UINT32_MAX, .declare = CEN_IMP_DECLARE_SCATTER,
			.flags = CEN_IMP_DEV_DECL_IOMMU});
		cam = imp.create_device(DeviceSpec{.name = "fz-leak-cam", .dma_bits = 32,
			.max_seg_size = UINT32_MAX, .flags = CEN_IMP_DEV_CONTIG});
		moved();
		refused();
	}

	void map_gpu(int fd)
	{
		atts.push_back(gpu.attach(fd));
		maps.push_back(atts.back().map());
		phys.add(maps.back().report().r);
	}

	void moved()
	{
		bufs.push_back(cen.create(2 * kMiB, "fz-moved"));
		map_gpu(bufs.back().get());
		maps.pop_back();	// unmapped: free to move
		atts.push_back(cam.attach(bufs.back().get()));
		maps.push_back(atts.back().map());
		phys.add(maps.back().report().r);
		if (cen.info(bufs.back().get()).info.migrations != 1)
			setup_error += "the 2 MiB buffer did not move; ";
	}

	void refused()
	{
		bufs.push_back(cen.create(2 * kMiB, "fz-refused"));
		map_gpu(bufs.back().get());
		Attachment late;
		if (cam.try_attach(bufs.back().get(), &late) != -EBUSY)
			setup_error += "the late attach to a mapped buffer was not refused; ";
	}
};

TEST(Bounds, UnprivilegedReasonsHaveNoPhysicalAddress)
{
	if (!module_loaded())
		GTEST_SKIP() << "cenalloc.ko or cen_importer.ko not loaded";
	root_run();
	UdevRule rule;
	LeakProbe probe;
	ASSERT_EQ(probe.setup_error, "");
	ASSERT_FALSE(probe.phys.ranges().empty());
	for (const auto &b : probe.bufs)
		std::cout << "reason as root: " << probe.cen.info(b.get()).reason() << "\n";
	std::vector<int> fds;
	for (const auto &b : probe.bufs)
		fds.push_back(b.get());
	auto failures = as_nobody(0, [&] {
		std::vector<std::string> f;
		Cenalloc cen;
		for (int fd : fds) {
			BufferInfo i = cen.info(fd);
			if (auto leak = physical_address_in(i.info, probe.phys.ranges());
			    !leak.empty())
				f.push_back(leak);
		}
		return f;
	});
	EXPECT_TRUE(failures.empty()) << joined(failures);
}

// Scarce memory is charged to the creator's RLIMIT_MEMLOCK: beyond it
// the first CPU access fails with EDQUOT and INFO says why; ordinary
// scattered memory is not scarce and is not limited by it.
std::vector<std::string> memlock_checks()
{
	std::vector<std::string> f;
	Cenalloc cen;
	const cenalloc_hint contig = hint_contiguous();
	auto sync = [](int fd) {
		dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
		int r = xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
		if (!r) {
			s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
			xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
		}
		return r;
	};
	auto expect = [&](const char *what, int r, int want) {
		if (r != -want)
			f.push_back(std::string(what) + ": " +
				    (r ? strerrorname_np(-r) : "success") + ", expected " +
				    (want ? strerrorname_np(want) : "success"));
	};
	UniqueFd within = cen.create(2 * kMiB, "contig-2M", {contig});
	expect("2 MiB contiguous under a 4 MiB limit", sync(within.get()), 0);
	UniqueFd beyond = cen.create(3 * kMiB, "contig-3M", {contig});
	expect("3 more MiB contiguous (5 of 4 MiB)", sync(beyond.get()), EDQUOT);
	BufferInfo i = cen.info(beyond.get());
	std::string reason = i.reason();
	std::transform(reason.begin(), reason.end(), reason.begin(), ::tolower);
	if (i.info.last_error != -EDQUOT || reason.find("memlock") == std::string::npos)
		f.push_back("INFO after EDQUOT: error " + std::to_string(i.info.last_error) +
			    ", reason \"" + i.reason() + "\" (should name RLIMIT_MEMLOCK)");
	UniqueFd cam = cen.create(6 * kMiB, "vivid-6M", {hint_device("platform:vivid.0")});
	expect("6 MiB for vivid (no IOMMU: contiguous)", sync(cam.get()), EDQUOT);
	UniqueFd scattered = cen.create(16 * kMiB, "scatter-16M");
	if (auto bad = use_buffer(scattered.get(), 16 * kMiB, 9); !bad.empty())
		f.push_back("16 MiB of ordinary memory beyond the limit: " + bad);
	within = UniqueFd();	// its charge goes back
	UniqueFd again = cen.create(3 * kMiB, "contig-3M-again", {contig});
	expect("3 MiB contiguous after the 2 MiB went", sync(again.get()), 0);
	return f;
}

TEST(Bounds, MemlockBoundsScarceMemoryOfUnprivilegedUsers)
{
	if (!module_loaded())
		GTEST_SKIP() << "cenalloc.ko not loaded";
	root_run();
	UdevRule rule;
	auto failures = as_nobody(4 * kMiB, memlock_checks);
	EXPECT_TRUE(failures.empty()) << joined(failures);
}

// Root has CAP_IPC_LOCK: the same contiguous memory is not limited.
TEST(FuzzOps, RootIsNotBoundByMemlock)
{
	NEED_MODULE();
	Cenalloc cen;
	const cenalloc_hint contig = hint_contiguous();
	rlimit old{};
	::getrlimit(RLIMIT_MEMLOCK, &old);
	const rlimit small{kMiB, old.rlim_max};
	ASSERT_EQ(::setrlimit(RLIMIT_MEMLOCK, &small), 0);
	UniqueFd buf = cen.create(3 * kMiB, "root-contig", {contig});
	const std::string bad = use_buffer(buf.get(), 3 * kMiB, 11);
	::setrlimit(RLIMIT_MEMLOCK, &old);
	EXPECT_EQ(bad, "");
}

} // namespace
