// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The decisions of cenalloc.ko, replayed offline.  Each step is the
// kernel's: cenalloc_resolve_device() (kernel/exporter/cenalloc_sources.c)
// builds a member from the same layers through cen_resolve(), and
// cenalloc_backing_alloc() takes the solver's plans in order.  Only the
// glue is here; the decisions are kernel/constraints/'s.
#include "what_if.hpp"

#include <bit>
#include <cstring>
#include <map>

#include "cen_convert.hpp"

namespace cenalloc::platform {

namespace {

// A scatterlist entry holds at most UINT_MAX bytes: cenalloc.ko caps
// max_seg_size there (cenalloc_exporter_limits()).
constexpr std::uint64_t kSgEntryMax = 0xffffffffU;

void apply_exporter_limits(cen_constraints *c)
{
	if (c->max_seg_size > kSgEntryMax)
		cen_constraints_set(c, CEN_F_MAX_SEG_SIZE, kSgEntryMax,
				    CEN_SRC_DEFAULT);
}

cen_constraints resolve(const Document &doc, const PlatformDevice &d)
{
	const cen_dev_caps caps{
		.dma_mask = d.dma_mask,
		.bus_dma_limit = d.bus_dma_limit,
		.max_seg_size = d.max_seg_size,
		.seg_boundary_mask = d.seg_boundary_mask,
		.iommu = d.iommu,
		.coherent = d.coherent,
	};
	cen_constraints device_layer{};
	cen_constraints_from_caps(&caps, &device_layer);

	std::optional<cen_constraints> profile;
	std::optional<cen_constraints> driver;
	if (const Profile *p = matching_profile(doc.profiles, d))
		profile = to_cen(p->constraints, CEN_SRC_PROFILE);
	if (d.declared)
		driver = to_cen(*d.declared, CEN_SRC_DRIVER);

	cen_constraints out{};
	cen_resolve(&device_layer, profile ? &*profile : nullptr,
		    driver ? &*driver : nullptr, doc.relax_default, &out);
	apply_exporter_limits(&out);
	return out;
}

cen_backend_desc to_desc(const PlatformBackend &b)
{
	cen_backend_desc d{};

	// Names were checked to fit when the document was read.
	std::strncpy(d.name, b.name.c_str(), sizeof(d.name) - 1);
	d.kind = b.kind == BackendKind::contiguous ? CEN_BK_CONTIG
						   : CEN_BK_SCATTER;
	d.max_chunk = b.max_chunk;
	d.max_align = b.max_align;
	d.addr_lo = b.addr_lo;
	d.addr_hi = b.addr_hi;
	d.lowest_limit = b.lowest_limit;
	d.free_bytes = b.free_bytes;
	d.cost_rank = b.cost_rank;
	for (Coherency c : b.coherency)
		d.coherency_mask |= 1U << static_cast<unsigned>(c);
	return d;
}

std::string member_name(const std::vector<ResolvedMember> &members,
			std::uint64_t index)
{
	return index < members.size() ? members[index].name : "?";
}

// cenalloc_explain(): the segment count and the address limit, and who
// imposed them.
std::string explain(const cen_constraints &merged,
		    const std::vector<ResolvedMember> &members)
{
	std::string out;

	for (cen_field f : {CEN_F_MAX_SEGMENTS, CEN_F_ADDR_LIMIT}) {
		if (merged.src[f] == CEN_SRC_NONE)
			continue;
		const std::uint64_t v = cen_constraints_get(&merged, f);
		out += out.empty() ? "" : ", ";
		out += std::string(cen_field_name(f)) + " " +
		       (v < 0x10000 ? std::to_string(v) : format_address(v)) +
		       " from " + member_name(members, merged.origin[f]) +
		       " (" + cen_source_name(static_cast<cen_source>(merged.src[f])) +
		       ")";
	}
	return out.empty() ? "nobody constrains the buffer" : out;
}

// The segments member @m sees in the worst case @plan assumes: its
// synthetic chunks (cen_plan_synthetic_chunks()), each split by @m's own
// rules as the exporter splits its scatterlist.
std::uint64_t member_segments(const cen_constraints &m, const cen_plan &plan,
			      const cen_backend_desc &b, std::uint64_t size,
			      unsigned int shift)
{
	const u64 n = cen_plan_synthetic_chunks(&plan, &b, size, nullptr, 0);
	std::vector<cen_segment> chunks(n);
	std::uint64_t total = 0;

	cen_plan_synthetic_chunks(&plan, &b, size, chunks.data(), n);
	for (u64 i = 0; i < n; i++) {
		const u64 k = cen_chunk_segments(&m, chunks[i].addr,
						 chunks[i].len, i + 1 == n, shift);
		if (k == U64_MAX)
			return plan.max_segments;
		total += k;
	}
	return total;
}

// What backend @i would do: its plan in @sol, or why it was refused.
BackendVerdict verdict(const cen_solution &sol,
		       const std::vector<cen_backend_desc> &descs, std::size_t i,
		       const std::vector<cen_constraints> &members,
		       unsigned int shift)
{
	BackendVerdict v{.backend = descs[i].name};
	for (u32 p = 0; p < sol.n_plans; p++) {
		const cen_plan &plan = sol.plans[p];
		if (plan.backend != i)
			continue;
		v.accepted = true;
		v.chunk = plan.chunk;
		v.align = plan.align;
		v.addr_limit = plan.addr_limit;
		v.max_segments = plan.max_segments;
		v.worst_case_addr = plan.worst_addr;
		v.preference = p;
		v.prefer_limit = plan.prefer_limit;
		for (const cen_constraints &m : members)
			v.member_segments.push_back(member_segments(
				m, plan, descs[i], sol.size, shift));
	}
	if (!v.accepted) {
		v.reason = why_text(sol.rejected[i]);
		v.not_needed = sol.rejected[i].code == CEN_R_NOT_NEEDED;
	}
	return v;
}

// Each device resolved once, by name: buffers name devices many times
// over, and a search of the devices for each would be quadratic.
using ResolvedDevices = std::map<std::string_view, cen_constraints>;

ResolvedDevices resolve_all(const Document &doc)
{
	ResolvedDevices out;

	for (const PlatformDevice &d : doc.devices)
		out.emplace(d.name, resolve(doc, d));
	return out;
}

BufferDecision solve_buffer(const Document &doc, const PlatformBuffer &buf,
			    const std::vector<cen_backend_desc> &descs,
			    const ResolvedDevices &devices)
{
	BufferDecision d{.buffer = buf.name};
	std::vector<cen_constraints> members;

	for (const Constraints &h : buf.hints) {
		cen_constraints c = to_cen(h, CEN_SRC_HINT);
		apply_exporter_limits(&c);
		members.push_back(c);
		d.members.push_back({"(hint)", true, from_cen(c)});
	}
	for (const std::string &name : buf.devices) {
		members.push_back(devices.at(name));
		d.members.push_back({name, false, from_cen(members.back())});
	}

	const auto shift =
		static_cast<unsigned>(std::countr_zero(doc.page_size));
	cen_solution sol{};
	const int ret = cen_solve_members(
		members.data(), static_cast<u32>(members.size()), buf.size,
		shift, descs.data(), static_cast<u32>(descs.size()), &sol);
	if (ret == 0)
		cen_solution_anticipate(&sol, descs.data(),
					static_cast<u32>(descs.size()),
					kAnticipateLimit);
	const std::uint64_t page = doc.page_size;
	d.size = sol.size ? sol.size : (buf.size + page - 1) / page * page;

	cen_constraints merged{};
	cen_why merge_why{};
	const bool mergeable =
		cen_merge_all(members.data(), static_cast<u32>(members.size()),
			      buf.size, shift, &merged, &merge_why) == 0;
	if (mergeable)
		d.merged = from_cen(merged);

	for (std::size_t i = 0; i < descs.size(); i++)
		d.backends.push_back(verdict(sol, descs, i, members, shift));

	if (ret == 0) {
		d.backend = descs[sol.plans[0].backend].name;
		d.reason = explain(merged, d.members);
	} else if (!mergeable) {
		// As the kernel says it when an attach is refused.
		d.reason = "no memory suits every member: " +
			   why_text(merge_why);
		if (merge_why.member < d.members.size() &&
		    merge_why.code != CEN_R_COHERENCY_CONFLICT)
			d.reason += " (member " +
				    member_name(d.members, merge_why.member) +
				    ")";
	} else {
		d.reason = why_text(sol.why);
	}
	return d;
}

} // namespace

Constraints resolve_device(const Document &doc, const PlatformDevice &device)
{
	return from_cen(resolve(doc, device));
}

std::vector<BufferDecision> solve(const Document &doc)
{
	std::vector<cen_backend_desc> descs;
	std::vector<BufferDecision> out;
	const ResolvedDevices devices = resolve_all(doc);

	for (const PlatformBackend &b : doc.backends)
		descs.push_back(to_desc(b));
	for (const PlatformBuffer &buf : doc.buffers)
		out.push_back(solve_buffer(doc, buf, descs, devices));
	return out;
}

} // namespace cenalloc::platform
