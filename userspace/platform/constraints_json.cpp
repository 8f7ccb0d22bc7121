// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "constraints_json.hpp"

#include "cen_convert.hpp"
#include "printable.hpp"

namespace cenalloc::platform {

namespace {

constexpr std::uint64_t kU64Max = ~std::uint64_t{0};

Coherency read_coherency(const Json &v, const std::string &path)
{
	const std::string s = read_string(v, path, 16);

	if (s == "any")
		return Coherency::any;
	if (s == "cached")
		return Coherency::cached;
	if (s == "uncached")
		return Coherency::uncached;
	throw InvalidInput(path, in_quotes(s) + " is not a coherency (any, "
					     "cached or uncached)");
}

} // namespace

Constraints read_constraints(const Json &object, const std::string &path)
{
	const ObjectReader r(object, path,
			     {"addr_limit", "max_segments", "max_seg_size",
			      "seg_boundary_mask", "align", "iommu",
			      "coherency"});
	Constraints c;

	if (auto v = r.number("addr_limit", 1, kU64Max, AnyValue::allowed))
		c.addr_limit(*v);
	if (auto v = r.number("max_segments", 1, kAnySegments,
			      AnyValue::allowed, kAnySegments))
		c.max_segments(static_cast<std::uint32_t>(*v));
	if (auto v = r.number("max_seg_size", 1, kU64Max, AnyValue::allowed))
		c.max_seg_size(*v);
	if (auto v = r.number("seg_boundary_mask", 0, kU64Max,
			      AnyValue::allowed))
		c.seg_boundary_mask(*v);
	if (auto v = r.number("align", 1, kU64Max))
		c.align(*v);
	if (auto v = r.boolean("iommu"))
		c.iommu(*v);
	if (const Json *v = r.find("coherency"))
		c.coherency(read_coherency(*v, r.path_of("coherency")));

	// The kernel's own validation, so a file is refused for exactly
	// what PROFILE_SET or CREATE would refuse.
	const cen_constraints k = to_cen(c, CEN_SRC_PROFILE);
	cen_why why{};
	if (cen_constraints_validate(&k, &why)) {
		const std::string where =
			why.field < kFieldCount
				? r.path_of(key_of(static_cast<Field>(why.field)))
				: path;
		throw InvalidInput(where, why_text(why));
	}
	return c;
}

Json constraints_to_json(const Constraints &c)
{
	Json out = Json::object();

	for (Field f : kAllFields) {
		const auto v = c.get(f);
		if (!v)
			continue;
		const std::string key(key_of(f));
		switch (f) {
		case Field::addr_limit:
		case Field::seg_boundary:
			out[key] = format_address(*v);
			break;
		case Field::max_segments:
			if (*v >= kAnySegments)
				out[key] = "any";
			else
				out[key] = *v;
			break;
		case Field::max_seg_size:
		case Field::align:
			if (*v == kU64Max)
				out[key] = "any";
			else
				out[key] = *v;
			break;
		case Field::iommu:
			out[key] = *v != 0;
			break;
		case Field::coherency:
			out[key] = std::string(
				to_string(static_cast<Coherency>(*v)));
			break;
		}
	}
	return out;
}

Json sources_to_json(const Constraints &c)
{
	Json out = Json::object();

	for (Field f : kAllFields)
		if (c.has(f))
			out[std::string(key_of(f))] =
				std::string(to_string(c.source(f)));
	return out;
}

} // namespace cenalloc::platform
