// SPDX-License-Identifier: GPL-2.0
//
// What the random-operation programs (fuzz_ops, stress) share: their
// options, a seeded generator, the per-buffer byte pattern that tells whose
// bytes a mapping shows, a guard against faults on purpose-free memory
// access, the module's counters before and after, findings collected from
// many threads, and the scan of reason strings for physical addresses.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cenalloc.hpp"
#include "sysfs.hpp"

namespace cen::vm::fuzz {

// ---- options: "--name=value" / "--name value" arguments, else $ENV ----

// The program's arguments as given (GoogleTest leaves those it does not
// know alone; main() does not pass them on, so ask GoogleTest).
inline std::optional<std::string> arg(const std::string &name)
{
	const std::vector<std::string> argv = testing::internal::GetArgvs();
	const std::string flag = "--" + name;
	for (size_t i = 1; i < argv.size(); i++) {
		if (argv[i] == flag)
			return i + 1 < argv.size() && argv[i + 1].rfind("--", 0)
				? argv[i + 1] : std::string("1");
		if (argv[i].rfind(flag + "=", 0) == 0)
			return argv[i].substr(flag.size() + 1);
	}
	return std::nullopt;
}

// --name, else the environment variable @env, else @def.
inline std::string option(const std::string &name, const char *env,
			  const std::string &def)
{
	if (auto a = arg(name))
		return *a;
	if (const char *e = std::getenv(env); e && *e)
		return e;
	return def;
}

inline uint64_t option_u64(const std::string &name, const char *env,
			   uint64_t def)
{
	return std::strtoull(option(name, env, std::to_string(def)).c_str(),
			     nullptr, 0);
}

// A seed from the clock unless one is given: a failure prints it.
inline uint64_t seed_option(const char *env)
{
	const uint64_t now = std::chrono::steady_clock::now()
				     .time_since_epoch().count();
	return option_u64("seed", env, now ^ (uint64_t(::getpid()) << 32));
}

// True on the debug kernel (KASAN or kmemleak), where the long runs go.
inline bool debug_kernel()
{
	return kernel_config("KASAN") == 1 || kernel_config("DEBUG_KMEMLEAK") == 1;
}

// A line for the console and for the harness's results channel.
inline void note(const std::string &line)
{
	std::printf("%s\n", line.c_str());
	std::fflush(stdout);
	if (const char *p = std::getenv("CENTEST_OUT"); p && *p)
		if (FILE *f = std::fopen(p, "a")) {
			std::fprintf(f, "CENTEST-NOTE %s\n", line.c_str());
			std::fclose(f);
		}
}

// ---- random numbers ------------------------------------------------------

class Rng {
public:
	explicit Rng(uint64_t seed) : g_(seed) {}
	uint64_t next() { return g_(); }
	// 0 .. n-1 (n > 0).
	uint64_t below(uint64_t n) { return n ? g_() % n : 0; }
	uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
	// True with probability @pct percent.
	bool pct(unsigned p) { return below(100) < p; }
	template <typename T> const T &pick(const std::vector<T> &v)
	{
		return v[below(v.size())];
	}

private:
	std::mt19937_64 g_;
};

// ---- the byte pattern: whose bytes are these? ----------------------------
//
// Word w of buffer @tag (tags are unique in the program, below 2^31) is
// tag << 32 | w: never zero, and a word read anywhere names the buffer and
// offset it was written for.  Writes of the same word by several threads
// agree, so buffers may be shared without locks around the writes.

inline uint64_t pattern(uint64_t tag, uint64_t off)
{
	return tag << 32 | ((off >> 3) & 0xffffffffULL);
}

inline void fill(uint8_t *p, uint64_t off, size_t len, uint64_t tag)
{
	auto *w = reinterpret_cast<volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern(tag, off + i * 8);
}

// The first word of [p, p+len) (buffer offset @off) that is neither zero
// (unless @zero_only) nor this buffer's own pattern, described; "" if none.
inline std::string foreign_word(const uint8_t *p, uint64_t off, size_t len,
				uint64_t tag, bool zero_only)
{
	auto *w = reinterpret_cast<const volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++) {
		const uint64_t v = w[i], o = off + i * 8;
		if (v == 0 || (!zero_only && v == pattern(tag, o)))
			continue;
		std::ostringstream s;
		s << "buffer " << tag << " offset " << hex(o) << " reads "
		  << hex(v);
		if (v >> 32 && (v >> 32) != tag)
			s << " = buffer " << (v >> 32) << " offset "
			  << hex((v & 0xffffffffULL) * 8) << " (another buffer's bytes)";
		else if (v == pattern(tag, o))
			s << " = its own pattern in a buffer nobody wrote yet";
		else
			s << " (neither zero nor a pattern: stale or foreign memory)";
		return s.str();
	}
	return "";
}

// ---- faults --------------------------------------------------------------
//
// The programs touch only memory they mapped and made the kernel back
// first (SYNC), so a SIGBUS or SIGSEGV is a finding, not a crash: the
// handler jumps back to the access that took it.

inline thread_local sigjmp_buf *tl_jump = nullptr;

inline void fault_handler(int sig, siginfo_t *, void *)
{
	if (tl_jump)
		siglongjmp(*tl_jump, sig);
	std::signal(sig, SIG_DFL);
	std::raise(sig);
}

inline void install_fault_handlers()
{
	struct sigaction sa {};
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, nullptr);
	sigaction(SIGSEGV, &sa, nullptr);
}

// Run @f (plain memory access, no objects with destructors): 0, or the
// signal that interrupted it.
template <typename F> int guarded(F &&f)
{
	sigjmp_buf jb;
	const int sig = sigsetjmp(jb, 1);
	if (sig) {
		tl_jump = nullptr;
		return sig;
	}
	tl_jump = &jb;
	f();
	tl_jump = nullptr;
	return 0;
}

// ---- findings ------------------------------------------------------------

// Failures of many threads, by category, with the first few messages.
class Findings {
public:
	void add(const std::string &category, const std::string &what)
	{
		std::lock_guard l(mu_);
		auto &c = cats_[category];
		if (c.count++ < 8)
			c.first.push_back(what);
	}
	uint64_t count(const std::string &category) const
	{
		std::lock_guard l(mu_);
		auto it = cats_.find(category);
		return it == cats_.end() ? 0 : it->second.count;
	}
	std::string describe(const std::string &category) const
	{
		std::lock_guard l(mu_);
		auto it = cats_.find(category);
		if (it == cats_.end())
			return "";
		std::ostringstream s;
		s << it->second.count << " finding(s):";
		for (const auto &m : it->second.first)
			s << "\n  " << m;
		return s.str();
	}
	std::vector<std::string> categories() const
	{
		std::lock_guard l(mu_);
		std::vector<std::string> v;
		for (const auto &[k, _] : cats_)
			v.push_back(k);
		return v;
	}

private:
	struct Cat {
		uint64_t count = 0;
		std::vector<std::string> first;
	};
	mutable std::mutex mu_;
	std::map<std::string, Cat> cats_;
};

// Operations done, by kind, for the summary line.
class OpCounts {
public:
	void add(const char *kind, bool ok)
	{
		std::lock_guard l(mu_);
		auto &c = counts_[kind];
		c.first++;
		c.second += ok;
	}
	uint64_t total() const
	{
		std::lock_guard l(mu_);
		uint64_t n = 0;
		for (const auto &[_, c] : counts_)
			n += c.first;
		return n;
	}
	// "create=120/80 mmap=..." (done / succeeded).
	std::string summary() const
	{
		std::lock_guard l(mu_);
		std::ostringstream s;
		for (const auto &[k, c] : counts_)
			s << " " << k << "=" << c.first << "/" << c.second;
		return s.str();
	}

private:
	mutable std::mutex mu_;
	std::map<std::string, std::pair<uint64_t, uint64_t>> counts_;
};

// ---- the module's counters -----------------------------------------------

struct Snapshot {
	std::map<std::string, uint64_t> used;	// backend -> used_bytes
	std::string refcnt;			// /sys/module/cenalloc/refcnt
	size_t buffers = 0;			// buffers in debugfs

	bool operator==(const Snapshot &o) const
	{
		return used == o.used && refcnt == o.refcnt &&
		       buffers == o.buffers;
	}
	std::string describe() const
	{
		std::ostringstream s;
		for (const auto &[k, v] : used)
			s << k << ".used_bytes=" << v << " ";
		s << "refcnt=" << refcnt << " buffers=" << buffers;
		return s.str();
	}
};

inline size_t count_lines_starting(const std::string &text,
				   const std::string &prefix)
{
	size_t n = 0;
	std::istringstream in(text);
	for (std::string l; std::getline(in, l);)
		n += l.rfind(prefix, 0) == 0;
	return n;
}

inline Snapshot snapshot(Cenalloc &c)
{
	Snapshot s;
	std::vector<cenalloc_backend_info> b;
	c.query(&b);
	for (const auto &x : b)
		s.used[x.name] = x.used_bytes;
	s.refcnt = slurp("/sys/module/cenalloc/refcnt");
	s.buffers = count_lines_starting(
		slurp("/sys/kernel/debug/cenalloc/buffers"), "buffer ");
	return s;
}

// The counters once released buffers are gone (the last reference may be
// dropped by a deferred fput): @start again within 5 s, or what they are.
inline Snapshot settle(Cenalloc &c, const Snapshot &start)
{
	Snapshot now = snapshot(c);
	for (int i = 0; i < 50 && !(now == start); i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		now = snapshot(c);
	}
	return now;
}

// ---- physical addresses in text -----------------------------------------

struct PhysRange {
	uint64_t addr, len;
};

// Physical memory seen through the test importer's mappings (a device
// without IOMMU and with a 64-bit mask gets DMA address == physical).
class KnownPhys {
public:
	void add(const cen_imp_map &m)
	{
		std::lock_guard l(mu_);
		for (uint32_t i = 0; i < std::min<uint32_t>(m.nr_segments,
							    CEN_IMP_MAX_REPORT); i++)
			if (ranges_.size() < 4096 && m.nr_bounced == 0)
				ranges_.push_back({m.segs[i].addr, m.segs[i].len});
	}
	std::vector<PhysRange> ranges() const
	{
		std::lock_guard l(mu_);
		return ranges_;
	}

private:
	mutable std::mutex mu_;
	std::vector<PhysRange> ranges_;
};

// What in @text gives a physical address away: a hex number written as a
// location ("at 0x...", as the segment checks and the allocator word it),
// or a page-aligned number inside physical memory known to back a buffer.
// Constraint values (limits, masks, lengths) and sizes ("... bytes") are
// neither.  "" if nothing.
inline std::string physical_address_in(const std::string &text,
				       const std::vector<PhysRange> &known)
{
	for (size_t i = 0; (i = text.find("0x", i)) != std::string::npos;) {
		size_t j = i + 2;
		while (j < text.size() && std::isxdigit(uint8_t(text[j])))
			j++;
		if (j == i + 2) {
			i = j;
			continue;
		}
		const uint64_t v = std::strtoull(text.substr(i, j - i).c_str(),
						 nullptr, 16);
		const bool located = i >= 3 && text.compare(i - 3, 3, "at ") == 0 &&
				     v >= 0x100000;
		// "0x106ce8000 bytes" is a size, which may by chance equal an
		// address in memory above 4 GiB.
		const bool size = text.compare(j, 6, " bytes") == 0;
		bool inside = false;
		for (const auto &r : known)
			inside |= !size && v % 4096 == 0 && v >= r.addr &&
				  v - r.addr < r.len;
		if (located || inside)
			return "\"" + text.substr(i, j - i) + "\"" +
			       (inside ? " is memory backing a buffer" :
					 " is written as a location") +
			       " in: " + text;
		i = j;
	}
	return "";
}

// The INFO strings an unprivileged caller reads.
inline std::string physical_address_in(const cenalloc_info &i,
				       const std::vector<PhysRange> &known)
{
	const std::initializer_list<std::pair<const char *, size_t>> strings = {
		{i.last_reason, sizeof(i.last_reason)},
		{i.reason, sizeof(i.reason)},
		{i.migration_reason, sizeof(i.migration_reason)}};
	for (const auto &[s, n] : strings) {
		std::string t = physical_address_in(std::string(s, ::strnlen(s, n)),
						    known);
		if (!t.empty())
			return t;
	}
	return "";
}

} // namespace cen::vm::fuzz
