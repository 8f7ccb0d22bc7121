// An independent model of the layout rules of cen_constraints.h, for small
// address spaces: written from the header comment, sharing no code with
// kernel/constraints/.  Used to cross-check cen_check() and cen_verify().
#pragma once

#include "cen_test.hpp"

#include <optional>
#include <vector>

namespace brute {

// The rules, restated:
//  1. every byte of a segment is at or below addr_limit;
//  2. at most max_segments segments;
//  3. no segment longer than the largest power of two <= max_seg_size;
//  4. no segment crosses a multiple of seg_boundary_mask + 1;
//  5. every segment starts at a multiple of align; every segment but the
//     last (in list order) has a length that is a multiple of align;
//  6. no segment touches physical address 0;
//  and for a buffer: segments are disjoint, built from whole granules,
//  and cover the size rounded up to granules.
struct Rules {
	u64 limit, seg_max, window, align, max_segments, granule;

	explicit Rules(const cen_constraints &c, unsigned shift)
	{
		limit = c.addr_limit;
		seg_max = 0;
		for (u64 p = 1; p && p <= c.max_seg_size; p <<= 1)
			seg_max = p;
		window = c.seg_boundary_mask == U64_MAX
				 ? 0
				 : c.seg_boundary_mask + 1;
		align = c.align;
		max_segments = c.max_segments;
		granule = 1ULL << shift;
	}

	// Rules 1, 3, 4, 6, the start half of 5, and granules.
	bool segment_ok(u64 addr, u64 len) const
	{
		if (len == 0 || addr == 0)
			return false;
		if (addr % granule || len % granule)
			return false;
		u64 last = addr + (len - 1);
		if (last < addr || last > limit) // wraps, or above the limit
			return false;
		if (len > seg_max)
			return false;
		if (window && addr / window != last / window)
			return false;
		return addr % align == 0;
	}
};

// Does the list satisfy every rule (the independent twin of cen_verify)?
inline bool list_ok(const Rules &r, const std::vector<cen_segment> &segs,
		    u64 size)
{
	if (segs.size() > r.max_segments)
		return false;
	u64 total = 0;
	for (size_t i = 0; i < segs.size(); i++) {
		const cen_segment &s = segs[i];
		if (s.len == 0 || s.addr == 0)
			return false;
		u64 last = s.addr + (s.len - 1);
		if (last < s.addr || last > r.limit || s.len > r.seg_max)
			return false;
		if (r.window && s.addr / r.window != last / r.window)
			return false;
		if (s.addr % r.align)
			return false;
		if (i + 1 < segs.size() && s.len % r.align)
			return false;
		if (total + s.len < total)
			return false;
		total += s.len;
		for (size_t j = 0; j < i; j++) {
			u64 lj = segs[j].addr + (segs[j].len - 1);
			if (!(last < segs[j].addr || lj < s.addr))
				return false;
		}
	}
	return total == size;
}

// Exhaustive search over disjoint segment lists in [1, top]: segments are
// enumerated in address order (any disjoint set is); the list order is
// free, so the one segment whose length is not a multiple of the
// alignment (if any) is put last.  Memoised on (position, bytes left,
// segments used, unaligned used).  Returns a witness list if one exists.
class Search {
public:
	Search(const Rules &r, u64 size, u64 top)
		: r_(r), top_(top < r.limit ? top : r.limit)
	{
		need_ = (size + r.granule - 1) / r.granule * r.granule;
		kmax_ = r.max_segments < need_ ? r.max_segments : need_;
		seen_.assign((top_ + 2) * (need_ + 1) * (kmax_ + 1) * 2, 0);
	}

	std::optional<std::vector<cen_segment>> run()
	{
		std::vector<cen_segment> body;
		cen_segment tail{0, 0};
		if (!find(1, need_, 0, false, body, tail))
			return std::nullopt;
		if (tail.len)
			body.push_back(tail);
		return body;
	}

private:
	bool find(u64 pos, u64 rem, u64 k, bool unaligned,
		  std::vector<cen_segment> &body, cen_segment &tail)
	{
		if (rem == 0)
			return true;
		if (pos > top_ || k >= kmax_)
			return false;
		char &seen = seen_[((pos * (need_ + 1) + rem) * (kmax_ + 1) + k) *
					   2 +
				   unaligned];
		if (seen)
			return false; // explored before, no list from here
		seen = 1;
		if (find(pos + 1, rem, k, unaligned, body, tail))
			return true;
		for (u64 len = 1; len <= rem; len++) {
			if (!r_.segment_ok(pos, len) || pos + len - 1 > top_)
				continue;
			bool odd = len % r_.align != 0;
			if (odd && unaligned)
				continue;
			if (odd)
				tail = {pos, len};
			else
				body.push_back({pos, len});
			if (find(pos + len, rem - len, k + 1, unaligned || odd,
				 body, tail))
				return true;
			if (odd)
				tail = {0, 0};
			else
				body.pop_back();
		}
		return false;
	}

	const Rules &r_;
	u64 top_, need_, kmax_;
	std::vector<char> seen_;
};

} // namespace brute
