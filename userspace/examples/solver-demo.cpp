// solver-demo: how cenalloc decides where a buffer's memory comes from.
//
// A platform with a camera (contiguous-only, 32-bit DMA), a display engine
// (32-bit mask, 64 KiB maximum segment, scatter-gather), a GPU behind an
// IOMMU, and four memory backends.  Each device is resolved from its layers
// (struct device, platform profile, driver), the attached devices are
// merged, and the solver picks a backend for a 1920x1080 YUYV frame.
// Every decision is printed with the reason for it.
extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}

#include <array>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr u64 KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr unsigned PAGE_SHIFT = 12;

// One layer of what is known about a device, built field by field.
class Layer {
public:
	explicit Layer(cen_source src) : src_(src) { cen_constraints_init(&c_); }
	Layer &set(cen_field f, u64 v)
	{
		cen_constraints_set(&c_, f, v, src_);
		return *this;
	}
	const cen_constraints *get() const { return &c_; }

private:
	cen_constraints c_;
	cen_source src_;
};

struct Device {
	Device(std::string n, std::string w) : name(std::move(n)), what(std::move(w)) {}

	std::string name;
	std::string what;
	cen_dev_caps caps{};
	std::optional<Layer> profile;
	std::optional<Layer> driver;

	cen_constraints resolve(bool relax_default = false) const
	{
		cen_constraints dev, out;
		cen_constraints_from_caps(&caps, &dev);
		cen_resolve(&dev, profile ? profile->get() : nullptr,
			    driver ? driver->get() : nullptr, relax_default,
			    &out);
		return out;
	}
};

std::string why_text(const cen_why &why)
{
	std::array<char, 160> buf;
	cen_why_format(&why, buf.data(), buf.size());
	return buf.data();
}

std::string bytes(u64 v)
{
	if (v == U64_MAX)
		return "any";
	char buf[40];
	if (v >= MiB && v % MiB == 0)
		std::snprintf(buf, sizeof(buf), "%llu MiB", (unsigned long long)(v / MiB));
	else if (v >= KiB && v % KiB == 0)
		std::snprintf(buf, sizeof(buf), "%llu KiB", (unsigned long long)(v / KiB));
	else
		std::snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return buf;
}

std::string hex(u64 v)
{
	if (v == U64_MAX)
		return "any";
	char buf[24];
	std::snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return buf;
}

std::string field_value(const cen_constraints &c, cen_field f)
{
	u64 v = cen_constraints_get(&c, f);
	switch (f) {
	case CEN_F_ADDR_LIMIT:
	case CEN_F_SEG_BOUNDARY:
		return hex(v);
	case CEN_F_MAX_SEGMENTS:
		return v == U32_MAX ? "any" : v == 1 ? "1 (contiguous)"
						    : std::to_string(v);
	case CEN_F_MAX_SEG_SIZE:
		return v == U64_MAX ? "any"
				    : bytes(v) + " (counts as " +
					      bytes(cen_eff_seg_size(&c)) + ")";
	case CEN_F_ALIGN:
		return v == 1 ? "none" : bytes(v);
	case CEN_F_IOMMU:
		return v ? "yes" : "no";
	case CEN_F_COHERENCY:
		return cen_coherency_name(static_cast<cen_coherency>(v));
	default:
		return "?";
	}
}

// Each field, its value and who said so.
void print_fields(const cen_constraints &c, std::span<const Device> members)
{
	for (int i = 0; i < CEN_F_COUNT; i++) {
		auto f = static_cast<cen_field>(i);
		std::string who;
		if (c.src[f] == CEN_SRC_NONE) {
			who = "nobody constrains it";
		} else {
			who = cen_source_name(static_cast<cen_source>(c.src[f]));
			if (!members.empty() && c.origin[f] < members.size())
				who = members[c.origin[f]].name + " (" + who + ")";
		}
		std::printf("    %-18s %-28s %s\n", cen_field_name(f),
			    field_value(c, f).c_str(), who.c_str());
	}
}

const std::vector<cen_backend_desc> &backends()
{
	static const std::vector<cen_backend_desc> b = [] {
		auto make = [](const char *name, u32 kind, u64 chunk, u64 lo,
			       u64 hi, u64 lowest, u64 free_bytes, u32 rank) {
			cen_backend_desc d{};
			std::snprintf(d.name, sizeof(d.name), "%s", name);
			d.kind = kind;
			d.max_chunk = d.max_align = chunk;
			d.addr_lo = lo;
			d.addr_hi = hi;
			d.lowest_limit = lowest;
			d.free_bytes = free_bytes;
			d.cost_rank = rank;
			d.coherency_mask = (1u << CEN_COH_ANY) |
					   (1u << CEN_COH_CACHED) |
					   (1u << CEN_COH_UNCACHED);
			return d;
		};
		return std::vector<cen_backend_desc>{
			make("system", CEN_BK_SCATTER, 4 * MiB, 4 * KiB,
			     8 * GiB - 1, 16 * MiB - 1, 6 * GiB, 0),
			make("contig", CEN_BK_CONTIG, 4 * MiB, 4 * KiB,
			     8 * GiB - 1, 16 * MiB - 1, 6 * GiB, 1),
			make("cma", CEN_BK_CONTIG, 64 * MiB, 3 * GiB,
			     3 * GiB + 64 * MiB - 1, 3 * GiB + 64 * MiB - 1,
			     64 * MiB, 2),
			make("carveout", CEN_BK_CONTIG, 256 * MiB, 1 * GiB,
			     1 * GiB + 256 * MiB - 1, 1 * GiB + 256 * MiB - 1,
			     256 * MiB, 3),
		};
	}();
	return b;
}

void scenario(std::string_view title, const std::vector<Device> &devices,
	      u64 size)
{
	std::printf("\n=== %.*s: %llu bytes ===\n", (int)title.size(),
		    title.data(), (unsigned long long)size);

	std::vector<cen_constraints> members;
	for (const Device &d : devices) {
		members.push_back(d.resolve());
		std::printf("  %s: %s\n", d.name.c_str(), d.what.c_str());
		print_fields(members.back(), {});
	}

	// The intersection, for the record; the segment rules are then
	// checked per device, as each attachment gets its own scatterlist.
	cen_constraints merged;
	cen_why why;
	int ret = cen_merge_all(members.data(), static_cast<u32>(members.size()),
				size, PAGE_SHIFT, &merged, &why);
	std::printf("  merged (tightest of each field; segment rules stay "
		    "per device):\n");
	print_fields(merged, devices);
	if (ret) {
		std::string who;
		if (why.code == CEN_R_COHERENCY_CONFLICT) {
			// value and limit name the two members.
			if (why.value < devices.size() && why.limit < devices.size())
				who = " (" + devices[why.value].name + " vs " +
				      devices[why.limit].name + ")";
		} else if (why.field < CEN_F_COUNT && why.member < devices.size()) {
			who = std::string(" (") +
			      cen_field_name(static_cast<cen_field>(why.field)) +
			      " set by " + devices[why.member].name + ")";
		}
		std::printf("  => impossible: %s%s\n", why_text(why).c_str(),
			    who.c_str());
		return;
	}

	const auto &b = backends();
	cen_solution sol;
	ret = cen_solve_members(members.data(), static_cast<u32>(members.size()),
				size, PAGE_SHIFT, b.data(),
				static_cast<u32>(b.size()), &sol);
	std::printf("  backends for %llu bytes:\n", (unsigned long long)sol.size);
	for (u32 i = 0; i < b.size(); i++) {
		const cen_plan *plan = nullptr;
		for (u32 p = 0; p < sol.n_plans; p++)
			if (sol.plans[p].backend == i)
				plan = &sol.plans[p];
		if (plan)
			std::printf("    %-9s accepted: %s %s aligned to %s, "
				    "below %s; a device sees at most %llu "
				    "segment(s)\n",
				    b[i].name,
				    b[i].kind == CEN_BK_SCATTER ? "chunks of"
								: "one chunk of",
				    bytes(plan->chunk).c_str(),
				    bytes(plan->align).c_str(),
				    hex(plan->addr_limit).c_str(),
				    (unsigned long long)plan->max_segments);
		else
			std::printf("    %-9s rejected: %s\n", b[i].name,
				    why_text(sol.rejected[i]).c_str());
	}
	if (ret) {
		std::printf("  => impossible: %s\n", why_text(sol.why).c_str());
		return;
	}
	const cen_plan &best = sol.plans[0];
	const cen_backend_desc &bk = b[best.backend];
	std::printf("  => %s: %s\n", bk.name,
		    bk.kind == CEN_BK_SCATTER && best.chunk < sol.size
			    ? ("scattered pages, chunks of " + bytes(best.chunk))
				      .c_str()
			    : "one physically contiguous chunk");
}

} // namespace

int main()
{
	const u64 frame = 1920ULL * 1080 * 2; // 1080p YUYV

	Device camera{"camera", "contiguous-only, 32-bit DMA"};
	camera.caps.dma_mask = 0xffffffffULL;
	camera.driver.emplace(CEN_SRC_DRIVER).set(CEN_F_MAX_SEGMENTS, 1);

	Device display{"display", "32-bit mask, 64 KiB max segment, scatter-gather"};
	display.caps.dma_mask = 0xffffffffULL;
	display.caps.max_seg_size = 64 * KiB;
	display.caps.seg_boundary_mask = 0xffffffffULL;
	display.profile.emplace(CEN_SRC_PROFILE)
		.set(CEN_F_MAX_SEGMENTS, U32_MAX)
		.set(CEN_F_COHERENCY, CEN_COH_UNCACHED);

	Device gpu{"gpu", "behind an IOMMU"};
	gpu.caps.dma_mask = (1ULL << 40) - 1;
	gpu.caps.iommu = true;

	Device isa{"legacy-dma", "24-bit DMA engine, nothing declared"};
	isa.caps.dma_mask = 0xffffffULL;

	Device snooper{"video-codec", "cache-coherent only (snoops CPU caches)"};
	snooper.caps.iommu = true;
	snooper.driver.emplace(CEN_SRC_DRIVER)
		.set(CEN_F_COHERENCY, CEN_COH_CACHED);

	std::printf("cenalloc solver demo: a 1920x1080 YUYV frame buffer on a "
		    "platform with\nsystem pages, 4 MiB buddy chunks, 64 MiB "
		    "of CMA and a 256 MiB carveout.\n");
	scenario("GPU alone", {gpu}, frame);
	scenario("camera + GPU", {camera, gpu}, frame);
	scenario("camera + display", {camera, display}, frame);
	scenario("display + GPU", {display, gpu}, frame);
	scenario("camera + 24-bit legacy DMA, a 4K UHD frame",
		 {camera, isa}, 3840ULL * 2160 * 2);
	scenario("display + cache-coherent codec", {display, snooper}, frame);
	return 0;
}
