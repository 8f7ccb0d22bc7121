// libFuzzer target: arbitrary bytes become constraint sets, sizes, backends
// and segment lists, fed to merge, check, solve, split and verify.  Besides
// "no crash, no sanitizer report" it enforces the solver's contract: every
// plan it returns, split for the merged set, must pass cen_verify.
extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

// In C any int may sit in an enum; C++ forbids it, so do that in C.
extern "C" void fuzz_names(unsigned int v);

namespace {

constexpr size_t kMaxMembers = 8;
constexpr u64 kMaxChunks = 256;
constexpr size_t kMaxSegs = 2048;

// A value biased towards the edges the code cares about.
u64 value(FuzzedDataProvider &p)
{
	switch (p.ConsumeIntegralInRange(0, 3)) {
	case 0:
		return p.ConsumeIntegral<u64>();
	case 1: {
		unsigned k = p.ConsumeIntegralInRange(0, 64);
		u64 v = k == 64 ? 0 : 1ULL << k;
		return v + p.ConsumeIntegralInRange(-1, 1);
	}
	case 2:
		return p.ConsumeIntegral<u16>();
	default:
		return p.PickValueInArray<u64>({0, 1, 4095, 4096, 65535, 65536,
						0xffffff, U32_MAX, 1ULL << 32,
						U64_MAX - 4095, U64_MAX});
	}
}

void member(FuzzedDataProvider &p, cen_constraints &c)
{
	cen_constraints_init(&c);
	for (int f = 0; f < CEN_F_COUNT; f++) {
		u8 how = p.ConsumeIntegral<u8>();
		if (how < 96)
			continue; // field left alone
		auto src = static_cast<cen_source>(1 + how % (CEN_SRC_COUNT - 1));
		u64 v = value(p);
		if (f == CEN_F_COHERENCY || f == CEN_F_IOMMU)
			v = how & 1 ? v % 3 : v;
		cen_constraints_set(&c, static_cast<cen_field>(f), v, src);
	}
	if (p.ConsumeIntegral<u8>() == 0xff) {
		// Raw bytes where the API would not put them.
		c.coherency = p.ConsumeIntegral<u8>();
		c.iommu = p.ConsumeIntegral<u8>();
		c.src[p.ConsumeIntegralInRange(0, CEN_F_COUNT - 1)] =
			p.ConsumeIntegral<u8>();
		c.origin[p.ConsumeIntegralInRange(0, CEN_F_COUNT - 1)] =
			p.ConsumeIntegral<u16>();
	}
}

void backend(FuzzedDataProvider &p, cen_backend_desc &b)
{
	b = {};
	std::string name = p.ConsumeRandomLengthString(CEN_NAME_LEN - 1);
	name.copy(b.name, CEN_NAME_LEN - 1);
	b.kind = p.ConsumeIntegral<u8>() < 250 ? p.ConsumeIntegralInRange(0, 1)
					       : p.ConsumeIntegral<u32>();
	b.max_chunk = value(p);
	b.max_align = value(p);
	b.addr_lo = value(p);
	b.addr_hi = value(p);
	b.lowest_limit = value(p);
	b.free_bytes = value(p);
	b.cost_rank = p.ConsumeIntegral<u8>();
	b.coherency_mask = p.ConsumeIntegral<u8>();
}

void format(FuzzedDataProvider &p, const cen_why &why)
{
	std::array<char, 256> buf;
	size_t len = p.ConsumeIntegralInRange<size_t>(0, buf.size());
	int n = cen_why_format(&why, len ? buf.data() : nullptr, len);
	if (len && (n < 0 || std::memchr(buf.data(), 0, len) == nullptr))
		__builtin_trap(); // must be NUL-terminated within @len
}

struct Collect {
	std::vector<cen_segment> segs;
};

int collect(void *ctx, u64 addr, u64 len)
{
	auto *c = static_cast<Collect *>(ctx);
	if (c->segs.size() >= kMaxSegs)
		return -E2BIG;
	c->segs.push_back({addr, len});
	return 0;
}

// With CEN_FUZZ_STATS set, say at exit how far inputs got.
struct Stats {
	unsigned long runs, merged, solved, solved_members, plans_checked;
	~Stats()
	{
		if (std::getenv("CEN_FUZZ_STATS"))
			std::fprintf(stderr,
				     "cen-fuzz: %lu runs, %lu feasible merges, "
				     "%lu solved, %lu solved per member, "
				     "%lu plans split and verified\n",
				     runs, merged, solved, solved_members,
				     plans_checked);
	}
} stats;

[[noreturn]] void contract(const char *what, const cen_why &why)
{
	std::fprintf(stderr, "contract broken: %s (why %s, member %u)\n", what,
		     cen_reason_name(static_cast<cen_reason>(why.code)),
		     why.member);
	std::abort();
}

// Split the plan's synthetic chunks for @c; verify the list against @c.
void check_plan(const cen_constraints &c, const cen_plan &plan,
		const cen_backend_desc &b, u64 size, unsigned shift)
{
	std::array<cen_segment, kMaxChunks> chunks;
	u64 n = cen_plan_synthetic_chunks(&plan, &b, size, chunks.data(),
					  chunks.size());
	if (n > chunks.size())
		return; // too many to check here
	Collect out;
	for (u64 i = 0; i < n; i++) {
		int ret = cen_split_chunk(&c, chunks[i].addr, chunks[i].len,
					  i + 1 == n, shift, collect, &out);
		if (ret == -E2BIG)
			return;
		if (ret)
			contract("a plan's chunk cannot be split", {});
	}
	if (out.segs.size() > plan.max_segments)
		contract("more segments than the plan's worst case", {});
	cen_why why;
	if (cen_verify(&c, out.segs.data(), static_cast<u32>(out.segs.size()),
		       size, &why))
		contract("a plan's layout fails cen_verify", why);
	stats.plans_checked++;
}

// The plan's chunks themselves satisfy the backing view of the merged set.
void check_backing(const cen_constraints &backing, const cen_plan &plan,
		   const cen_backend_desc &b, u64 size)
{
	std::array<cen_segment, kMaxChunks> chunks;
	u64 n = cen_plan_synthetic_chunks(&plan, &b, size, chunks.data(),
					  chunks.size());
	cen_why why;
	// (U64_MAX as a segment size counts as 2^63: skip absurd sizes.)
	if (n <= chunks.size() && size <= 1ULL << 62 &&
	    cen_verify(&backing, chunks.data(), static_cast<u32>(n), size, &why))
		contract("a plan's chunks break the merged address rules", why);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	FuzzedDataProvider p(data, size);
	std::array<cen_constraints, kMaxMembers> m;
	size_t n = p.ConsumeIntegralInRange<size_t>(0, kMaxMembers);
	for (size_t i = 0; i < n; i++)
		member(p, m[i]);
	u64 bytes = value(p);
	unsigned shift = p.ConsumeIntegralInRange(0, 24);

	cen_why why;
	bool valid = true;
	std::array<bool, kMaxMembers> ok{};
	for (size_t i = 0; i < n; i++) {
		ok[i] = cen_constraints_validate(&m[i], &why) == 0;
		valid &= ok[i];
		format(p, why);
		cen_check(&m[i], bytes, shift, &why);
		format(p, why);
		cen_eff_seg_size(&m[i]);
		cen_inner_seg_max(&m[i], shift);
	}

	cen_constraints merged;
	int feasible = cen_merge_all(m.data(), static_cast<u32>(n), bytes, shift,
				     &merged, &why);
	format(p, why);
	stats.runs++;
	stats.merged += feasible == 0;

	std::array<cen_backend_desc, CEN_MAX_BACKENDS> b;
	u32 nb = p.ConsumeIntegralInRange<u32>(0, CEN_MAX_BACKENDS);
	for (u32 i = 0; i < nb; i++)
		backend(p, b[i]);
	cen_solution sol;
	int ret = cen_solve(&merged, bytes, shift, b.data(), nb, &sol);
	format(p, sol.why);
	for (u32 i = 0; i < nb; i++)
		format(p, sol.rejected[i]);
	if (ret == 0) {
		stats.solved++;
		if (valid && feasible != 0)
			contract("solved a set cen_merge_all refused", why);
		if (sol.n_plans == 0 || sol.n_plans > nb)
			contract("success without a plan", sol.why);
		for (u32 i = 0; i < sol.n_plans; i++) {
			const cen_plan &plan = sol.plans[i];
			if (plan.backend >= nb)
				contract("plan names no backend", sol.why);
			check_plan(merged, plan, b[plan.backend], sol.size,
				   shift);
		}
	}

	// Per member: each splits the plan's backing by its own rules.
	ret = cen_solve_members(m.data(), static_cast<u32>(n), bytes, shift,
				b.data(), nb, &sol);
	format(p, sol.why);
	if (valid && (ret == -EINVAL) != (feasible != 0))
		contract("cen_solve_members and cen_merge_all disagree", sol.why);
	if (ret == 0) {
		stats.solved_members++;
		if (sol.n_plans == 0 || sol.n_plans > nb)
			contract("success without a plan", sol.why);
		cen_constraints backing;
		cen_backing_view(&merged, &backing);
		for (u32 i = 0; i < sol.n_plans; i++) {
			const cen_plan &plan = sol.plans[i];
			if (plan.backend >= nb)
				contract("plan names no backend", sol.why);
			check_backing(backing, plan, b[plan.backend], sol.size);
			for (size_t j = 0; j < n; j++)
				check_plan(m[j], plan, b[plan.backend],
					   sol.size, shift);
		}
	}

	// Layout primitives on arbitrary runs, and arbitrary segment lists.
	std::array<cen_segment, 64> segs;
	u32 ns = p.ConsumeIntegralInRange<u32>(0, segs.size());
	u64 total = 0;
	for (u32 i = 0; i < ns; i++) {
		segs[i] = {value(p), value(p)};
		total += segs[i].len;
	}
	if (p.ConsumeBool())
		total = value(p);
	for (size_t i = 0; i < n; i++) {
		u64 addr = value(p), len = value(p);
		bool last = p.ConsumeBool();
		u64 count = cen_chunk_segments(&m[i], addr, len, last, shift);
		Collect out;
		int r = cen_split_chunk(&m[i], addr, len, last, shift, collect,
					&out);
		// The layout functions expect validated sets.
		// (-E2BIG: our own stop after kMaxSegs; a count of U64_MAX
		// is then a real count that collides with "cannot split".)
		if (ok[i] && ((r == 0 && count != out.segs.size()) ||
			      (r != -E2BIG &&
			       (count == U64_MAX) != (r == -EINVAL)))) {
			std::fprintf(stderr,
				     "addr 0x%llx len 0x%llx last %d shift %u: "
				     "count %llu, split %zu; seg_size 0x%llx "
				     "boundary 0x%llx align 0x%llx\n",
				     (unsigned long long)addr,
				     (unsigned long long)len, last, shift,
				     (unsigned long long)count, r == 0 ?
				     out.segs.size() : (size_t)r,
				     (unsigned long long)m[i].max_seg_size,
				     (unsigned long long)m[i].seg_boundary_mask,
				     (unsigned long long)m[i].align);
			contract("cen_chunk_segments disagrees with the split",
				 {});
		}
		cen_verify(&m[i], segs.data(), ns, total, &why);
		format(p, why);
	}

	fuzz_names(p.ConsumeIntegral<u32>());
	return 0;
}
