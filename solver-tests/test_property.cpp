// Property tests over random constraint sets.  The seed is printed; rerun a
// failure with CEN_SEED=<seed> (and CEN_ITERS=<n> to change the count).
#include "brute_force.hpp"
#include "cen_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace cen_test;

namespace {

class Rng {
public:
	explicit Rng(u64 salt) : g_(seed() ^ salt) {}
	u64 below(u64 n) { return n ? g_() % n : 0; }
	bool coin(int percent = 50) { return below(100) < (u64)percent; }
	template <typename T> T pick(std::initializer_list<T> l)
	{
		return *(l.begin() + below(l.size()));
	}
	u64 pow2(unsigned lo, unsigned hi) { return 1ULL << (lo + below(hi - lo + 1)); }

private:
	std::mt19937_64 g_;
};

cen_source random_source(Rng &r)
{
	return static_cast<cen_source>(CEN_SRC_DEFAULT +
				       r.below(CEN_SRC_COUNT - CEN_SRC_DEFAULT));
}

// A device-like set: every field set or left alone, realistic values.
cen_constraints random_device(Rng &r)
{
	cen_constraints c = any();
	auto set = [&](cen_field f, u64 v) {
		cen_constraints_set(&c, f, v, random_source(r));
	};
	if (r.coin(60))
		set(CEN_F_ADDR_LIMIT,
		    r.pick<u64>({0xffffffULL, 0xffffffffULL, (1ULL << 36) - 1,
				 (1ULL << 40) - 1, U64_MAX,
				 r.pow2(20, 40) - 1, r.below(1ULL << 33)}));
	if (r.coin(60))
		set(CEN_F_MAX_SEGMENTS,
		    r.pick<u64>({1, 1, 2, 4, 16, 256, U32_MAX,
				 1 + r.below(4096)}));
	if (r.coin(50))
		set(CEN_F_MAX_SEG_SIZE,
		    r.pick<u64>({65535, 65536, U32_MAX, PAGE, 1 * MiB,
				 PAGE * (1 + r.below(1024)), U64_MAX}));
	if (r.coin(40))
		set(CEN_F_SEG_BOUNDARY, r.pow2(12, 34) - 1);
	if (r.coin(40))
		set(CEN_F_ALIGN, r.pow2(0, 22));
	if (r.coin(40))
		set(CEN_F_IOMMU, r.coin());
	if (r.coin(30))
		set(CEN_F_COHERENCY, r.below(3));
	return c;
}

std::string describe(const std::vector<cen_constraints> &members)
{
	std::ostringstream os;
	for (size_t i = 0; i < members.size(); i++)
		os << "  member " << i << ": " << members[i] << "\n";
	return os.str();
}

cen_constraints merge_in_order(const std::vector<cen_constraints> &m,
			       const std::vector<size_t> &order)
{
	cen_constraints acc = any();
	for (size_t i : order)
		cen_merge(&acc, &m[i], static_cast<u16>(i));
	return acc;
}

} // namespace

TEST(Property, MergeIsCommutativeAssociativeIdempotent)
{
	Rng r(0x6d657267);
	const int n = iters(5000);
	for (int it = 0; it < n; it++) {
		std::vector<cen_constraints> m = {random_device(r),
						  random_device(r),
						  random_device(r)};
		if (r.coin(20))
			m[1] = m[0];
		SCOPED_TRACE("iteration " + std::to_string(it) + "\n" +
			     describe(m));

		// Commutative: every order gives the same bytes.
		cen_constraints abc = merge_in_order(m, {0, 1, 2});
		for (auto order : std::vector<std::vector<size_t>>{
			     {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1},
			     {2, 1, 0}})
			ASSERT_TRUE(same(abc, merge_in_order(m, order)))
				<< abc << "\n" << merge_in_order(m, order);

		// Associative: a merged set merges like its members.
		cen_constraints bc = merge_in_order(m, {1, 2});
		cen_constraints a_bc = merge_in_order(m, {0});
		cen_merge(&a_bc, &bc, 1);
		ASSERT_TRUE(same(abc, a_bc)) << abc << "\n" << a_bc;
		cen_constraints ab = merge_in_order(m, {0, 1});
		cen_constraints ab_c = any();
		cen_merge(&ab_c, &ab, 0);
		cen_merge(&ab_c, &m[2], 2);
		ASSERT_TRUE(same(abc, ab_c)) << abc << "\n" << ab_c;

		// Idempotent: with itself, and with any of its members.
		cen_constraints again = abc;
		cen_merge(&again, &abc, 0);
		ASSERT_TRUE(same(abc, again)) << abc << "\n" << again;
		for (u16 i = 0; i < 3; i++) {
			again = abc;
			cen_merge(&again, &m[i], i);
			ASSERT_TRUE(same(abc, again)) << i << " " << again;
		}
	}
}

TEST(Property, MergedSetIsWithinEveryMember)
{
	Rng r(0x77697468);
	const int n = iters(5000);
	for (int it = 0; it < n; it++) {
		std::vector<cen_constraints> m(1 + r.below(6));
		for (auto &c : m)
			c = random_device(r);
		SCOPED_TRACE("iteration " + std::to_string(it) + "\n" +
			     describe(m));
		std::vector<size_t> order(m.size());
		for (size_t i = 0; i < m.size(); i++)
			order[i] = i;
		cen_constraints s = merge_in_order(m, order);

		bool cached = false, uncached = false;
		for (const auto &c : m) {
			EXPECT_LE(s.addr_limit, c.addr_limit);
			EXPECT_LE(s.max_segments, c.max_segments);
			EXPECT_LE(s.max_seg_size, c.max_seg_size);
			EXPECT_LE(s.seg_boundary_mask, c.seg_boundary_mask);
			EXPECT_GE(s.align, c.align);
			EXPECT_EQ(s.align % c.align, 0u);
			EXPECT_LE(s.iommu, c.iommu);
			if (c.coherency != CEN_COH_ANY) {
				EXPECT_TRUE(s.coherency == c.coherency ||
					    s.coherency == CEN_COH_CONFLICT);
			}
			cached |= c.coherency == CEN_COH_CACHED;
			uncached |= c.coherency == CEN_COH_UNCACHED;
		}
		EXPECT_EQ(s.coherency == CEN_COH_CONFLICT, cached && uncached);

		// Each field is explained by the member that set it: the same
		// value and source; no member set it if it has no source.
		for (int f = 0; f < CEN_F_COUNT; f++) {
			auto field = static_cast<cen_field>(f);
			if (f == CEN_F_COHERENCY &&
			    s.coherency == CEN_COH_CONFLICT) {
				EXPECT_EQ(s.origin[f], CEN_ORIGIN_NONE);
				continue;
			}
			if (s.src[f] == CEN_SRC_NONE) {
				EXPECT_EQ(s.origin[f], CEN_ORIGIN_NONE) << f;
				for (const auto &c : m) {
					if (c.src[f] != CEN_SRC_NONE) {
						EXPECT_NE(cen_constraints_get(&c, field),
							  cen_constraints_get(&s, field))
							<< "field " << f;
					}
				}
				continue;
			}
			ASSERT_LT(s.origin[f], m.size()) << "field " << f;
			const cen_constraints &o = m[s.origin[f]];
			EXPECT_EQ(cen_constraints_get(&o, field),
				  cen_constraints_get(&s, field))
				<< "field " << f;
			EXPECT_EQ(o.src[f], s.src[f]) << "field " << f;
			// Ties go to the lowest member index.
			for (size_t i = 0; i < s.origin[f]; i++) {
				if (m[i].src[f] != CEN_SRC_NONE) {
					EXPECT_NE(cen_constraints_get(&m[i], field),
						  cen_constraints_get(&s, field))
						<< "field " << f << " member " << i;
				}
			}
		}
		if (HasFailure())
			return;
	}
}

namespace {

struct SmallCase {
	cen_constraints c;
	u64 size;
	unsigned shift;
};

SmallCase random_small(Rng &r)
{
	SmallCase k;
	k.c = any();
	k.c.addr_limit = r.coin(90) ? r.below(31) : 24 + r.below(17);
	k.c.max_seg_size = r.coin(85) ? r.below(30) : U64_MAX;
	k.c.seg_boundary_mask = r.pick<u64>({0, 1, 3, 7, 15, 31, U64_MAX,
					     U64_MAX});
	k.c.align = r.pow2(0, 5);
	k.c.max_segments = r.coin(85) ? 1 + r.below(6) : U32_MAX;
	k.size = 1 + r.below(24);
	k.shift = r.coin(75) ? 0 : 1 + r.below(2);
	return k;
}

} // namespace

TEST(Property, CheckAgreesWithBruteForce)
{
	Rng r(0x62727574);
	const int n = iters(20000);
	int feasible = 0;
	for (int it = 0; it < n; it++) {
		SmallCase k = random_small(r);
		brute::Rules rules(k.c, k.shift);
		auto witness = brute::Search(rules, k.size, 64).run();
		cen_why why;
		int ret = cen_check(&k.c, k.size, k.shift, &why);
		ASSERT_EQ(ret == 0, witness.has_value())
			<< "iteration " << it << ": cen_check says "
			<< (ret ? why_text(why) : "feasible") << ", brute force "
			<< (witness ? "found a list" : "found none")
			<< "\n  set " << k.c << "\n  size " << k.size
			<< " granule_shift " << k.shift << "\n  witness: "
			<< [&] {
				   std::ostringstream os;
				   for (auto &s : witness.value_or(
						std::vector<cen_segment>{}))
					   os << s << " ";
				   return os.str();
			   }();
		if (!witness)
			continue;
		feasible++;
		u64 span = (k.size + (1ULL << k.shift) - 1) >> k.shift << k.shift;
		ASSERT_EQ(cen_verify(&k.c, witness->data(),
				     static_cast<u32>(witness->size()), span,
				     &why),
			  0)
			<< "iteration " << it << ": brute-force witness refused: "
			<< why << " " << k.c;
	}
	std::printf("[ brute    ] %d of %d small cases feasible\n", feasible, n);
	EXPECT_GT(feasible, n / 10);
	EXPECT_LT(feasible, n - n / 10);
}

TEST(Property, VerifyAgreesWithTheIndependentRules)
{
	Rng r(0x76657269);
	const int n = iters(20000);
	int accepted = 0;
	for (int it = 0; it < n; it++) {
		SmallCase k = random_small(r);
		brute::Rules rules(k.c, 0);
		std::vector<cen_segment> segs(r.below(5));
		u64 total = 0;
		for (auto &s : segs) {
			// Mostly plausible segments, sometimes wild ones.
			s.addr = r.coin(95) ? r.below(40) : U64_MAX - r.below(4);
			s.len = r.coin(95) ? 1 + r.below(12) : r.below(1ULL << 63);
			total += s.len;
		}
		u64 size = r.coin(80) ? total : r.below(30);
		bool want = brute::list_ok(rules, segs, size);
		cen_why why;
		int ret = cen_verify(&k.c, segs.data(),
				     static_cast<u32>(segs.size()), size, &why);
		std::ostringstream os;
		for (auto &s : segs)
			os << s << " ";
		ASSERT_EQ(ret == 0, want)
			<< "iteration " << it << ": " << k.c << " size " << size
			<< " list " << os.str() << " -> " << why;
		accepted += want;
	}
	std::printf("[ verify   ] %d of %d random lists valid\n", accepted, n);
}

// ---- solver -------------------------------------------------------------

namespace {

using Segs = std::vector<cen_segment>;

// Random but plausible backends: the four of platform(), perturbed.
std::vector<cen_backend_desc> random_backends(Rng &r)
{
	auto b = platform();
	for (auto &d : b) {
		if (r.coin(20))
			d.free_bytes = r.below(64 * MiB);
		if (r.coin(15))
			d.cost_rank = static_cast<u32>(r.below(4));
		if (r.coin(10))
			d.coherency_mask = static_cast<u32>(1 + r.below(7));
		if (r.coin(10))
			d.max_align = d.max_chunk = r.pow2(12, 28);
	}
	if (r.coin(10))
		b.resize(r.below(b.size()));
	return b;
}

// Members for a buffer of moderate size so layouts stay checkable.
std::vector<cen_constraints> random_members(Rng &r)
{
	std::vector<cen_constraints> m(1 + r.below(4));
	for (auto &c : m) {
		c = random_device(r);
		if (r.coin(50))
			c.align = std::min<u64>(c.align, 64 * KiB);
		if (c.max_seg_size < PAGE && r.coin(80))
			c.max_seg_size = PAGE;
	}
	return m;
}

u64 random_size(Rng &r)
{
	return r.coin(70) ? 1 + r.below(64 * PAGE)
			  : 1 + r.below(r.coin(80) ? 4 * MiB : 64 * MiB);
}

// Split @chunks (the last one ends the buffer) with @c's own rules.
bool split_all(const cen_constraints &c, const Segs &chunks, Segs &out)
{
	out.clear();
	for (size_t i = 0; i < chunks.size(); i++)
		if (split(c, chunks[i].addr, chunks[i].len,
			  i + 1 == chunks.size(), PAGE_SHIFT, out))
			return false;
	return true;
}

std::string segs_text(const Segs &s, size_t max = 8)
{
	std::ostringstream os;
	for (size_t i = 0; i < s.size() && i < max; i++)
		os << s[i] << " ";
	if (s.size() > max)
		os << "... (" << s.size() << ")";
	return os.str();
}

// cen_verify's overlap check is quadratic: longer lists only get their
// segment count checked (the rule the solver's estimate is about).
constexpr size_t kVerifyMax = 1024;

// Every member, with its own split of @chunks, accepts what it gets.
::testing::AssertionResult serves(const std::vector<cen_constraints> &m,
				  const Segs &chunks, u64 size)
{
	Segs segs;
	for (size_t i = 0; i < m.size(); i++) {
		if (!split_all(m[i], chunks, segs))
			return ::testing::AssertionFailure()
			       << "member " << i << " cannot split "
			       << segs_text(chunks);
		if (segs.size() > kVerifyMax) {
			if (segs.size() > m[i].max_segments)
				return ::testing::AssertionFailure()
				       << "member " << i << " gets "
				       << segs.size() << " segments, takes "
				       << m[i].max_segments;
			continue;
		}
		cen_why why;
		if (cen_verify(&m[i], segs.data(), static_cast<u32>(segs.size()),
			       size, &why))
			return ::testing::AssertionFailure()
			       << "member " << i << " refuses its segments: "
			       << why_text(why) << " " << why
			       << "\n  chunks " << segs_text(chunks)
			       << "\n  segments " << segs_text(segs);
	}
	return ::testing::AssertionSuccess();
}

// Other places the allocator may put a plan's memory: the solver's promise
// is a worst case, so it must hold there too.
std::vector<Segs> other_placements(Rng &r, const cen_plan &p,
				   const cen_backend_desc &b,
				   const std::vector<cen_constraints> &m,
				   u64 size)
{
	std::vector<Segs> out;
	u64 lo = std::max<u64>(b.addr_lo, 1);
	if (b.kind == CEN_BK_CONTIG) {
		// One chunk at any p.align-aligned address in range.
		u64 first = (lo + p.align - 1) / p.align * p.align;
		if (p.addr_limit < size - 1 || first > p.addr_limit - (size - 1))
			return out;
		u64 slots = (p.addr_limit - (size - 1) - first) / p.align + 1;
		std::vector<u64> at = {0, slots - 1};
		for (int i = 0; i < 24; i++)
			at.push_back(r.below(slots));
		// Straddling each member's boundary windows.
		for (const auto &c : m) {
			if (c.seg_boundary_mask == U64_MAX)
				continue;
			u64 w = c.seg_boundary_mask + 1;
			for (int k = 0; k < 4; k++) {
				u64 edge = (first / w + 1 + r.below(64)) * w;
				for (u64 back : {p.align, size / 2, size})
					if (edge >= first + back)
						at.push_back((edge - back - first) /
							     p.align);
			}
		}
		for (u64 s : at)
			if (s < slots)
				out.push_back({{first + s * p.align, size}});
		return out;
	}
	// Scatter: chunks of p.chunk at distinct aligned places, any order;
	// the tail at its own order, naturally aligned.
	u64 k = (size + p.chunk - 1) / p.chunk;
	u64 tail = size - (k - 1) * p.chunk;
	u64 tail_align = std::max(cen_roundup_pow2(tail), p.align);
	u64 span = std::max(p.chunk, tail_align);
	u64 first = (lo + span - 1) / span * span;
	if (p.addr_limit < first || (p.addr_limit - first) / span < k + 1)
		return out;
	u64 slots = std::min<u64>((p.addr_limit - first + 1) / span, 1ULL << 40);
	for (int t = 0; t < 4; t++) {
		std::vector<u64> used;
		Segs chunks;
		while (chunks.size() < k) {
			u64 s = r.below(slots);
			if (std::find(used.begin(), used.end(), s) != used.end())
				continue;
			used.push_back(s);
			chunks.push_back({first + s * span,
					  chunks.size() + 1 == k ? tail : p.chunk});
		}
		out.push_back(chunks);
	}
	return out;
}

} // namespace

TEST(Property, SolvedPlansSatisfyTheMergedSetAndEveryMember)
{
	// cen_solve on one (merged) set: the plan's chunks, split by the
	// merged rules, are accepted by the merged set and by every member.
	Rng r(0x736f6c76);
	const int n = iters(3000);
	int solved = 0;
	for (int it = 0; it < n; it++) {
		auto m = random_members(r);
		auto b = random_backends(r);
		u64 size = random_size(r);
		cen_constraints merged = any();
		for (size_t i = 0; i < m.size(); i++)
			cen_merge(&merged, &m[i], static_cast<u16>(i));
		cen_solution sol;
		int ret = cen_solve(&merged, size, PAGE_SHIFT, b.data(),
				    static_cast<u32>(b.size()), &sol);
		SCOPED_TRACE("iteration " + std::to_string(it) + " size " +
			     std::to_string(size) + "\n" + describe(m));
		ASSERT_EQ(ret != -EINVAL,
			  cen_check(&merged, size, PAGE_SHIFT, nullptr) == 0);
		if (ret)
			continue;
		solved++;
		ASSERT_GT(sol.n_plans, 0u);
		for (u32 pi = 0; pi < sol.n_plans; pi++) {
			const cen_plan &p = sol.plans[pi];
			ASSERT_LT(p.backend, b.size());
			Segs chunks(1024);
			u64 k = cen_plan_synthetic_chunks(&p, &b[p.backend],
							  sol.size, chunks.data(),
							  chunks.size());
			if (k > chunks.size())
				continue;
			chunks.resize(k);
			Segs segs;
			ASSERT_TRUE(split_all(merged, chunks, segs));
			ASSERT_LE(segs.size(), p.max_segments);
			if (segs.size() > kVerifyMax)
				continue;
			std::vector<cen_constraints> all = m;
			all.push_back(merged);
			for (size_t i = 0; i < all.size(); i++) {
				cen_why why;
				ASSERT_EQ(cen_verify(&all[i], segs.data(),
						     static_cast<u32>(segs.size()),
						     sol.size, &why),
					  0)
					<< (i < m.size() ? "member " : "merged ")
					<< i << ": " << why_text(why) << "\n  plan "
					<< pi << " backend " << b[p.backend].name
					<< " segments " << segs_text(segs);
			}
		}
	}
	std::printf("[ solve    ] %d of %d merged sets solved\n", solved, n);
	EXPECT_GT(solved, n / 10);
}

TEST(Property, SolvedMembersAreServedWhereverTheMemoryLands)
{
	// cen_solve_members: each member splits the backing by its own rules.
	// The synthetic worst case and other placements the plan allows
	// must serve every member; the chunks themselves must satisfy the
	// backing view of the merged set.
	Rng r(0x6d656d62);
	const int n = iters(3000);
	int solved = 0;
	for (int it = 0; it < n; it++) {
		auto m = random_members(r);
		auto b = random_backends(r);
		u64 size = random_size(r);
		cen_solution sol;
		int ret = cen_solve_members(m.data(), static_cast<u32>(m.size()),
					    size, PAGE_SHIFT, b.data(),
					    static_cast<u32>(b.size()), &sol);
		SCOPED_TRACE("iteration " + std::to_string(it) + " size " +
			     std::to_string(size) + "\n" + describe(m));
		cen_constraints merged;
		int feasible = cen_merge_all(m.data(), static_cast<u32>(m.size()),
					     size, PAGE_SHIFT, &merged, nullptr);
		ASSERT_EQ(ret != -EINVAL, feasible == 0);
		if (ret)
			continue;
		solved++;
		cen_constraints backing;
		cen_backing_view(&merged, &backing);
		for (u32 pi = 0; pi < sol.n_plans; pi++) {
			const cen_plan &p = sol.plans[pi];
			const cen_backend_desc &bk = b[p.backend];
			SCOPED_TRACE(std::string("plan ") + std::to_string(pi) +
				     " backend " + bk.name + " chunk " +
				     std::to_string(p.chunk) + " align " +
				     std::to_string(p.align));
			Segs chunks(1024);
			u64 k = cen_plan_synthetic_chunks(&p, &bk, sol.size,
							  chunks.data(),
							  chunks.size());
			if (k > chunks.size())
				continue;
			chunks.resize(k);
			cen_why why;
			ASSERT_EQ(cen_verify(&backing, chunks.data(),
					     static_cast<u32>(k), sol.size, &why),
				  0)
				<< "backing: " << why_text(why);
			ASSERT_TRUE(serves(m, chunks, sol.size));
			for (const Segs &place :
			     other_placements(r, p, bk, m, sol.size))
				ASSERT_TRUE(serves(m, place, sol.size))
					<< "plan max_segments " << p.max_segments;
		}
	}
	std::printf("[ members  ] %d of %d member sets solved\n", solved, n);
	EXPECT_GT(solved, n / 10);
}
