// Shared helpers of the solver tests: the C headers, builders for constraint
// sets and backends, segment collection and a seeded random source.
#pragma once

extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace cen_test {

constexpr u64 KiB = 1024;
constexpr u64 MiB = 1024 * KiB;
constexpr u64 GiB = 1024 * MiB;
constexpr unsigned PAGE_SHIFT = 12;
constexpr u64 PAGE = 1ULL << PAGE_SHIFT;

using U64s = std::initializer_list<u64>;

// Byte-identical constraint sets (values, sources and origins).
inline bool same(const cen_constraints &a, const cen_constraints &b)
{
	return std::memcmp(&a, &b, sizeof(a)) == 0;
}

// A constraint set with no constraint at all.
inline cen_constraints any()
{
	cen_constraints c;
	cen_constraints_init(&c);
	return c;
}

// Fluent builder: Set().limit(...).segs(...).get().
class Set {
public:
	explicit Set(cen_source src = CEN_SRC_DRIVER) : src_(src) { c_ = any(); }
	explicit Set(const cen_constraints &c, cen_source src = CEN_SRC_DRIVER)
		: c_(c), src_(src)
	{
	}
	Set &field(cen_field f, u64 v)
	{
		cen_constraints_set(&c_, f, v, src_);
		return *this;
	}
	Set &limit(u64 v) { return field(CEN_F_ADDR_LIMIT, v); }
	Set &segs(u64 v) { return field(CEN_F_MAX_SEGMENTS, v); }
	Set &seg_size(u64 v) { return field(CEN_F_MAX_SEG_SIZE, v); }
	Set &boundary(u64 v) { return field(CEN_F_SEG_BOUNDARY, v); }
	Set &align(u64 v) { return field(CEN_F_ALIGN, v); }
	Set &iommu(bool v) { return field(CEN_F_IOMMU, v); }
	Set &coherency(cen_coherency v) { return field(CEN_F_COHERENCY, v); }
	Set &source(cen_source s)
	{
		src_ = s;
		return *this;
	}
	cen_constraints get() const { return c_; }
	operator cen_constraints() const { return c_; }

private:
	cen_constraints c_;
	cen_source src_;
};

inline cen_backend_desc backend(const char *name, cen_backend_kind kind,
				u64 max_chunk, u64 max_align, u64 lo, u64 hi,
				u64 lowest_limit, u64 free_bytes, u32 rank,
				u32 coh = (1u << CEN_COH_ANY) |
					  (1u << CEN_COH_CACHED) |
					  (1u << CEN_COH_UNCACHED))
{
	cen_backend_desc b{};
	std::snprintf(b.name, sizeof(b.name), "%s", name);
	b.kind = kind;
	b.max_chunk = max_chunk;
	b.max_align = max_align;
	b.addr_lo = lo;
	b.addr_hi = hi;
	b.lowest_limit = lowest_limit;
	b.free_bytes = free_bytes;
	b.cost_rank = rank;
	b.coherency_mask = coh;
	return b;
}

// The four backends of a typical platform with 8 GiB of RAM.
inline std::vector<cen_backend_desc> platform()
{
	return {
		// Buddy pages anywhere, zones down to 16 MiB (ZONE_DMA).
		backend("system", CEN_BK_SCATTER, 4 * MiB, 4 * MiB, PAGE,
			8 * GiB - 1, 16 * MiB - 1, 6 * GiB, 0),
		// One buddy allocation of up to order 10.
		backend("contig", CEN_BK_CONTIG, 4 * MiB, 4 * MiB, PAGE,
			8 * GiB - 1, 16 * MiB - 1, 6 * GiB, 1),
		// CMA: 64 MiB below 4 GiB.
		backend("cma", CEN_BK_CONTIG, 64 * MiB, 64 * MiB, 0xc0000000ULL,
			0xc0000000ULL + 64 * MiB - 1,
			0xc0000000ULL + 64 * MiB - 1, 64 * MiB, 2),
		// A fixed 256 MiB carveout at 1 GiB.
		backend("carveout", CEN_BK_CONTIG, 256 * MiB, 256 * MiB,
			1 * GiB, 1 * GiB + 256 * MiB - 1,
			1 * GiB + 256 * MiB - 1, 256 * MiB, 3),
	};
}

// The backends of a solution's plans, first choice first.
inline std::vector<u32> plan_order(const cen_solution &sol)
{
	std::vector<u32> o;
	for (u32 i = 0; i < sol.n_plans; i++)
		o.push_back(sol.plans[i].backend);
	return o;
}

inline std::string why_text(const cen_why &w)
{
	char buf[256];
	cen_why_format(&w, buf, sizeof(buf));
	return buf;
}

// Split one chunk into a vector of segments (the emit callback).
inline int collect(void *ctx, u64 addr, u64 len)
{
	static_cast<std::vector<cen_segment> *>(ctx)->push_back({addr, len});
	return 0;
}

inline int split(const cen_constraints &c, u64 addr, u64 len, bool last,
		 unsigned shift, std::vector<cen_segment> &out)
{
	return cen_split_chunk(&c, addr, len, last, shift, collect, &out);
}

// The seed of the property tests: CEN_SEED if set, else random; printed.
inline u64 seed()
{
	static u64 s = [] {
		const char *env = std::getenv("CEN_SEED");
		u64 v = env ? std::strtoull(env, nullptr, 0)
			    : (static_cast<u64>(std::random_device{}()) << 32) ^
				      std::random_device{}();
		std::printf("[ seed     ] CEN_SEED=%llu\n",
			    static_cast<unsigned long long>(v));
		return v;
	}();
	return s;
}

// How many random cases per property: CEN_ITERS, default @def.
inline int iters(int def)
{
	const char *env = std::getenv("CEN_ITERS");
	return env ? std::atoi(env) : def;
}

} // namespace cen_test

// Readable gtest failure output.
inline std::ostream &operator<<(std::ostream &os, const cen_constraints &c)
{
	os << "{limit=0x" << std::hex << c.addr_limit << " seg_size=0x"
	   << c.max_seg_size << " boundary=0x" << c.seg_boundary_mask
	   << " align=0x" << c.align << std::dec << " segs=" << c.max_segments
	   << " iommu=" << int(c.iommu) << " coh=" << int(c.coherency)
	   << " src=[";
	for (int f = 0; f < CEN_F_COUNT; f++)
		os << (f ? "," : "") << int(c.src[f]);
	os << "] origin=[";
	for (int f = 0; f < CEN_F_COUNT; f++)
		os << (f ? "," : "") << c.origin[f];
	return os << "]}";
}

inline std::ostream &operator<<(std::ostream &os, const cen_why &w)
{
	return os << "{" << cen_reason_name(static_cast<cen_reason>(w.code))
		  << " field=" << w.field << " member=" << w.member
		  << " value=0x" << std::hex << w.value << " limit=0x"
		  << w.limit << std::dec << "}";
}

inline std::ostream &operator<<(std::ostream &os, const cen_segment &s)
{
	return os << "[0x" << std::hex << s.addr << "+0x" << s.len << std::dec
		  << "]";
}

inline bool operator==(const cen_segment &a, const cen_segment &b)
{
	return a.addr == b.addr && a.len == b.len;
}
