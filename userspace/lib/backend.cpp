// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/backend.hpp"

#include <array>
#include <utility>

namespace cenalloc {

namespace {

constexpr std::array<std::pair<Feature, std::string_view>, 6> kFeatures = {{
	{Feature::hints, "hints"},
	{Feature::profiles, "profiles"},
	{Feature::dma_heap, "dma-heap"},
	{Feature::driver_api, "driver-api"},
	{Feature::migration, "migration"},
	{Feature::move_notify, "move-notify"},
}};

} // namespace

std::string_view to_string(BackendKind k) noexcept
{
	return k == BackendKind::contiguous ? "contig" : "scatter";
}

std::string_view to_string(Feature f) noexcept
{
	for (const auto &[feature, name] : kFeatures)
		if (feature == f)
			return name;
	return "?";
}

std::vector<std::string_view> Capabilities::feature_names() const
{
	std::vector<std::string_view> names;

	for (const auto &[feature, name] : kFeatures)
		if (has(feature))
			names.push_back(name);
	return names;
}

} // namespace cenalloc
