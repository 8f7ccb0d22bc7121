// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cen_convert.hpp"

#include <array>

namespace cenalloc::platform {

cen_constraints to_cen(const Constraints &c, cen_source src)
{
	cen_constraints out{};

	cen_constraints_init(&out);
	for (Field f : kAllFields) {
		const auto v = c.get(f);
		if (!v)
			continue;
		const cen_source s = c.source(f) == Source::none
					     ? src
					     : static_cast<cen_source>(c.source(f));
		cen_constraints_set(&out, static_cast<cen_field>(f), *v, s);
	}
	return out;
}

Constraints from_cen(const cen_constraints &c)
{
	Constraints out;

	for (Field f : kAllFields) {
		const auto cf = static_cast<cen_field>(f);
		if (c.src[cf] == CEN_SRC_NONE)
			continue;
		std::optional<std::uint16_t> origin;
		if (c.origin[cf] != CEN_ORIGIN_NONE)
			origin = c.origin[cf];
		out.set(f, cen_constraints_get(&c, cf),
			static_cast<Source>(c.src[cf]), origin);
	}
	return out;
}

std::string why_text(const cen_why &why)
{
	std::array<char, 256> buf{};

	cen_why_format(&why, buf.data(), buf.size());
	return buf.data();
}

} // namespace cenalloc::platform
