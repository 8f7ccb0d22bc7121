// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The platform document `cenalloc discover` writes.  A member INFO
// reports is the device already resolved (cenalloc_resolve_device()):
// each field carries its source, and each source goes back where the
// document keeps it, so that `cenalloc solve` resolves the device to the
// same constraints.
#include <set>

#include "cenalloc/allocator.hpp"
#include "constraints_json.hpp"
#include "discovery.hpp"

namespace cenalloc::tool {

using platform::Json;

namespace {

// A field the struct device gave, in the document's device keys.  The
// kernel reports min(dma_mask, bus_dma_limit) as one address limit: a
// value of the form 2^k-1 is written as the mask, any other as the bus
// limit under an all-ones mask.  max_segments from the device only ever
// follows from an IOMMU, which "iommu" says already.
void add_device_field(Json &dev, Field f, std::uint64_t v)
{
	switch (f) {
	case Field::addr_limit:
		if ((v & (v + 1)) == 0) {
			dev["dma_mask"] = format_address(v);
		} else {
			dev["dma_mask"] = "any";
			dev["bus_dma_limit"] = format_address(v);
		}
		break;
	case Field::max_seg_size:
		dev["max_seg_size"] = v;
		break;
	case Field::seg_boundary:
		dev["seg_boundary_mask"] = format_address(v);
		break;
	case Field::iommu:
		dev["iommu"] = v != 0;
		break;
	default:
		break;
	}
}

// The kernel's view: struct device fields on the device, the driver's
// declaration as "declares", what a loaded profile set as a profile of
// this document.  The default policy is left to the solver, which applies
// it again.
void add_kernel_view(Json &dev, const Constraints &c, Json &profiles)
{
	Constraints declared;
	Constraints profiled;

	for (Field f : kAllFields) {
		const auto v = c.get(f);
		if (!v)
			continue;
		if (c.source(f) == Source::device)
			add_device_field(dev, f, *v);
		else if (c.source(f) == Source::driver)
			declared.set(f, *v);
		else if (c.source(f) == Source::profile)
			profiled.set(f, *v);
	}
	if (!declared.empty())
		dev["declares"] = platform::constraints_to_json(declared);
	if (!profiled.empty())
		profiles.push_back(
			{{"description", "loaded into the kernel when discovered"},
			 {"match", {{"device", dev["name"]}, {"bus", dev["bus"]}}},
			 {"constraints", platform::constraints_to_json(profiled)}});
}

// Without the kernel: what sysfs says.  device_iommu_mapped() is exactly
// "has an IOMMU group".
void add_sysfs_view(Json &dev, const SysfsDevice &s)
{
	if (s.dma_mask_bits && *s.dma_mask_bits > 0 && *s.dma_mask_bits <= 64)
		dev["dma_mask"] = format_address(
			*s.dma_mask_bits == 64 ? kNoLimit
					       : (1ULL << *s.dma_mask_bits) - 1);
	dev["iommu"] = s.iommu_group.has_value();
}

Json device_json(const DiscoveredDevice &d, Json &profiles)
{
	Json dev{{"name", d.sysfs.name}, {"bus", d.sysfs.bus}};
	const std::string driver =
		d.kernel && !d.kernel->driver.empty() ? d.kernel->driver
						      : d.sysfs.driver;

	if (!driver.empty())
		dev["driver"] = driver;
	if (d.sysfs.iommu_group)
		dev["description"] = "IOMMU group " + *d.sysfs.iommu_group;
	if (d.kernel)
		add_kernel_view(dev, d.kernel->constraints, profiles);
	else
		add_sysfs_view(dev, d.sysfs);
	return dev;
}

Json backend_json(const Backend &b, std::uint32_t page_size)
{
	Json j{{"name", b.name},
	       {"kind", std::string(to_string(b.kind))},
	       {"cost_rank", b.cost_rank},
	       {"max_chunk", b.max_chunk}};

	// Left out where the reader's default is the better statement.
	if (b.max_align >= page_size && (b.max_align & (b.max_align - 1)) == 0)
		j["max_align"] = b.max_align;
	if (b.addr_lo)
		j["addr_lo"] = format_address(b.addr_lo);
	j["addr_hi"] = format_address(b.addr_hi);
	j["lowest_limit"] = format_address(b.lowest_limit);
	j["free"] = b.free_bytes == kNoLimit ? Json("any") : Json(b.free_bytes);
	return j;
}

// One example buffer per device, named after it where the name fits.
Json buffers_json(const Json &devices)
{
	Json buffers = Json::array();
	std::set<std::string> used;

	for (const Json &dev : devices) {
		std::string name = dev["name"];
		if (name.size() > kMaxNameLength || used.contains(name))
			name = "buffer-" + std::to_string(buffers.size() + 1);
		used.insert(name);
		buffers.push_back(
			{{"description", "a 1920x1080 XRGB8888 frame for " +
						 dev["name"].get<std::string>() +
						 ": an example, put your buffers here"},
			 {"name", name},
			 {"size", kExampleFrame},
			 {"devices", Json::array({dev["name"]})}});
	}
	return buffers;
}

} // namespace

Json platform_json(const Discovery &d)
{
	Json doc{{"version", 1},
		 {"description", d.description},
		 {"page_size", d.page_size}};
	Json profiles = Json::array();
	Json devices = Json::array();
	Json backends = Json::array();

	if (d.relax_default)
		doc["relax_default"] = *d.relax_default;
	for (const DiscoveredDevice &dev : d.devices)
		devices.push_back(device_json(dev, profiles));
	for (const Backend &b : d.backends)
		backends.push_back(backend_json(b, d.page_size));
	if (!profiles.empty())
		doc["profiles"] = profiles;
	doc["devices"] = devices;
	if (!backends.empty())
		doc["backends"] = backends;
	doc["buffers"] = buffers_json(devices);
	return doc;
}

} // namespace cenalloc::tool
