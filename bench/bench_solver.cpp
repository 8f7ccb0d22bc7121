// Cost of merging attachments' constraints and of solving for a 1080p
// YUYV buffer on a platform with four backends: system pages (scatter), the buddy
// allocator's 4 MiB contiguous chunks, 64 MiB of CMA and a carveout.
extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}

#include <benchmark/benchmark.h>

#include "cen_test.hpp"

#include <random>
#include <vector>

namespace {

using cen_test::PAGE_SHIFT;
constexpr u64 FRAME = 1920ULL * 1080 * 2;

// The platform the solver's tests use (cen_test.hpp), built once.
const std::vector<cen_backend_desc> &backends()
{
	static const std::vector<cen_backend_desc> b = cen_test::platform();
	return b;
}

// Attachments of a typical mix: IOMMU GPUs, 32-bit scatter-gather
// engines with 64 KiB segments, a few contiguous 32-bit cameras.  The mix
// always stays feasible for a 1080p frame so solve does its full work.
std::vector<cen_constraints> attachments(size_t n, bool contiguous)
{
	std::mt19937_64 rng(42);
	std::vector<cen_constraints> v(n);
	for (size_t i = 0; i < n; i++) {
		cen_constraints &c = v[i];
		cen_constraints_init(&c);
		switch (rng() % 3) {
		case 0: // behind an IOMMU
			cen_constraints_set(&c, CEN_F_IOMMU, 1, CEN_SRC_DEVICE);
			break;
		case 1: // 32-bit scatter-gather
			cen_constraints_set(&c, CEN_F_ADDR_LIMIT,
					    0xffffffffULL >> (rng() % 4),
					    CEN_SRC_DEVICE);
			cen_constraints_set(&c, CEN_F_MAX_SEGMENTS,
					    U32_MAX, CEN_SRC_PROFILE);
			cen_constraints_set(&c, CEN_F_ALIGN, 4096 << (rng() % 4),
					    CEN_SRC_DRIVER);
			break;
		default: // 36-bit, coherent
			cen_constraints_set(&c, CEN_F_ADDR_LIMIT,
					    (1ULL << 36) - 1, CEN_SRC_DEVICE);
			cen_constraints_set(&c, CEN_F_MAX_SEGMENTS, U32_MAX,
					    CEN_SRC_DRIVER);
			cen_constraints_set(&c, CEN_F_COHERENCY, CEN_COH_CACHED,
					    CEN_SRC_DRIVER);
			break;
		}
	}
	if (contiguous && n) // one contiguous-only camera among them
		cen_constraints_set(&v[n / 2], CEN_F_MAX_SEGMENTS, 1,
				    CEN_SRC_DEFAULT);
	return v;
}

void per_item(benchmark::State &state, const char *name, double items)
{
	state.counters[name] = benchmark::Counter(
		items, benchmark::Counter::kIsIterationInvariantRate |
			       benchmark::Counter::kInvert);
}

// cen_merge over n attachments: the per-attach cost is one merge.
void BM_Merge(benchmark::State &state)
{
	auto att = attachments(state.range(0), true);
	for (auto _ : state) {
		cen_constraints acc;
		cen_constraints_init(&acc);
		for (size_t i = 0; i < att.size(); i++)
			cen_merge(&acc, &att[i], static_cast<u16>(i));
		benchmark::DoNotOptimize(acc);
	}
	per_item(state, "per_merge", static_cast<double>(att.size()));
}

// cen_solve_members: what an attach costs, every member checked on its own
// split (validation, merge, per-member check and the plans over 4 backends).
void BM_Solve(benchmark::State &state, bool contiguous)
{
	auto att = attachments(state.range(0), contiguous);
	const auto &b = backends();
	for (auto _ : state) {
		cen_solution sol;
		int ret = cen_solve_members(att.data(),
					    static_cast<u32>(att.size()), FRAME,
					    PAGE_SHIFT, b.data(),
					    static_cast<u32>(b.size()), &sol);
		if (ret)
			state.SkipWithError("attachment mix is infeasible");
		benchmark::DoNotOptimize(sol);
	}
	per_item(state, "per_solve", 1);
}

// cen_solve of one already merged set: the backends only.
void BM_SolveMerged(benchmark::State &state)
{
	auto att = attachments(state.range(0), true);
	cen_constraints merged = att[0];
	for (size_t i = 1; i < att.size(); i++)
		cen_merge(&merged, &att[i], static_cast<u16>(i));
	const auto &b = backends();
	for (auto _ : state) {
		cen_solution sol;
		int ret = cen_solve(&merged, FRAME, PAGE_SHIFT, b.data(),
				    static_cast<u32>(b.size()), &sol);
		benchmark::DoNotOptimize(ret);
		benchmark::DoNotOptimize(sol);
	}
	per_item(state, "per_solve", 1);
}

} // namespace

BENCHMARK(BM_Merge)->Arg(1)->Arg(8)->Arg(64)->Arg(1000);
BENCHMARK_CAPTURE(BM_Solve, scatter, false)->Arg(1)->Arg(8)->Arg(64)->Arg(1000);
BENCHMARK_CAPTURE(BM_Solve, contiguous, true)->Arg(1)->Arg(8)->Arg(64)->Arg(1000);
BENCHMARK(BM_SolveMerged)->Arg(1)->Arg(8)->Arg(64)->Arg(1000);

BENCHMARK_MAIN();
