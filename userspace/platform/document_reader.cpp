// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Reading a cenalloc JSON document: every section, every field checked,
// the first problem reported with its JSON path.
#include <bit>
#include <algorithm>
#include <set>

#include "constraints_json.hpp"
#include "document.hpp"
#include "input_file.hpp"
#include "json_reader.hpp"
#include "printable.hpp"

namespace cenalloc::platform {

namespace {

constexpr std::uint64_t kU64Max = ~std::uint64_t{0};
constexpr std::uint64_t kFormatVersion = 1;

// "description" is for people: any string, ignored.
void read_description(const ObjectReader &r, std::string *out = nullptr)
{
	if (const Json *v = r.find("description")) {
		std::string s = read_string(*v, r.path_of("description"),
					    4096, true);
		if (out)
			*out = std::move(s);
	}
}

// A name must be unique within its section.
void check_unique(std::set<std::string> &seen, const std::string &name,
		  const std::string &path, std::string_view what)
{
	if (!seen.insert(name).second)
		throw InvalidInput(path, std::string(what) + " " + in_quotes(name) +
						 " is defined twice");
}

DeviceMatch read_match(const Json &v, const std::string &path)
{
	const ObjectReader r(v, path, {"device", "driver", "bus"});
	DeviceMatch m{
		.device = r.name("device", kMaxDeviceLength),
		.driver = r.name("driver", kMaxNameLength),
		.bus = r.name("bus", kMaxNameLength),
	};

	if (m.empty())
		throw InvalidInput(path, "must name a device, a driver or a bus "
					 "(an empty match would apply to every "
					 "device)");
	return m;
}

Profile read_profile(const Json &v, const std::string &path)
{
	const ObjectReader r(v, path, {"description", "match", "constraints"});
	read_description(r);
	Profile p{
		.match = read_match(r.require("match"), r.path_of("match")),
		.constraints = read_constraints(r.require("constraints"),
						r.path_of("constraints")),
	};
	if (p.constraints.empty())
		throw InvalidInput(r.path_of("constraints"),
				   "sets no constraint: a profile must say "
				   "something about the device");
	return p;
}

PlatformDevice read_device(const Json &v, const std::string &path)
{
	const ObjectReader r(v, path,
			     {"description", "name", "bus", "driver",
			      "dma_mask", "bus_dma_limit", "max_seg_size",
			      "seg_boundary_mask", "iommu", "coherent",
			      "declares"});
	read_description(r);
	PlatformDevice d;

	d.name = read_name(r.require("name"), r.path_of("name"),
			     kMaxDeviceLength);
	d.bus = r.name("bus", kMaxNameLength).value_or("platform");
	d.driver = r.name("driver", kMaxNameLength).value_or("");
	// 0 is what the kernel uses for "not set"; writing it is a mistake
	// (leave the field out instead).
	d.dma_mask = r.number("dma_mask", 1, kU64Max, AnyValue::allowed)
			     .value_or(0);
	d.bus_dma_limit = r.number("bus_dma_limit", 1, kU64Max).value_or(0);
	d.max_seg_size = r.number("max_seg_size", 1, kU64Max).value_or(0);
	d.seg_boundary_mask =
		r.number("seg_boundary_mask", 1, kU64Max).value_or(0);
	if (d.seg_boundary_mask & (d.seg_boundary_mask + 1))
		throw InvalidInput(r.path_of("seg_boundary_mask"),
				   "segment boundary mask " +
					   format_address(d.seg_boundary_mask) +
					   " is not of the form 2^k-1");
	d.iommu = r.boolean("iommu").value_or(false);
	d.coherent = r.boolean("coherent").value_or(true);
	if (const Json *decl = r.find("declares")) {
		d.declared = read_constraints(*decl, r.path_of("declares"));
		if (d.declared->empty())
			throw InvalidInput(r.path_of("declares"),
					   "declares no constraint (leave it "
					   "out if the driver declares "
					   "nothing)");
	}
	return d;
}

BackendKind read_kind(const Json &v, const std::string &path)
{
	const std::string s = read_string(v, path, 16);

	if (s == "scatter")
		return BackendKind::scatter;
	if (s == "contig" || s == "contiguous")
		return BackendKind::contiguous;
	throw InvalidInput(path, in_quotes(s) + " is not a backend kind "
					     "(scatter or contig)");
}

std::vector<Coherency> read_coherencies(const Json &v, const std::string &path)
{
	std::vector<Coherency> out;
	const Json &list = read_array(v, path);

	if (list.empty())
		throw InvalidInput(path, "must list at least one caching");
	for (std::size_t i = 0; i < list.size(); i++) {
		const std::string p = child_path(path, i);
		const std::string s = read_string(list[i], p, 16);
		if (s == "any")
			out.push_back(Coherency::any);
		else if (s == "cached")
			out.push_back(Coherency::cached);
		else if (s == "uncached")
			out.push_back(Coherency::uncached);
		else
			throw InvalidInput(p, in_quotes(s) +
						      " is not a caching (any, "
						      "cached or uncached)");
	}
	return out;
}

PlatformBackend read_backend(const Json &v, const std::string &path,
			     std::size_t index, std::uint64_t page_size)
{
	const ObjectReader r(v, path,
			     {"description", "name", "kind", "max_chunk",
			      "max_align", "addr_lo", "addr_hi",
			      "lowest_limit", "free", "cost_rank",
			      "coherency"});
	read_description(r);
	PlatformBackend b;

	b.name = read_name(r.require("name"), r.path_of("name"),
			     kMaxNameLength);
	b.kind = read_kind(r.require("kind"), r.path_of("kind"));
	b.max_chunk = read_number(r.require("max_chunk"),
				  r.path_of("max_chunk"), page_size, kU64Max,
				  AnyValue::allowed);
	// The kernel aligns a chunk to at most its size: the largest power
	// of two in it, unless told otherwise.
	b.max_align = r.number("max_align", page_size, kU64Max)
			      .value_or(std::bit_floor(b.max_chunk));
	if (!std::has_single_bit(b.max_align))
		throw InvalidInput(r.path_of("max_align"),
				   std::to_string(b.max_align) +
					   " is not a power of two");
	b.addr_lo = r.number("addr_lo", 1, kU64Max).value_or(page_size);
	b.addr_hi = r.number("addr_hi", 1, kU64Max, AnyValue::allowed)
			    .value_or(kU64Max);
	if (b.addr_hi < b.addr_lo)
		throw InvalidInput(r.path_of("addr_hi"),
				   format_address(b.addr_hi) +
					   " is below addr_lo " +
					   format_address(b.addr_lo));
	b.lowest_limit = r.number("lowest_limit", 0, kU64Max).value_or(0);
	b.free_bytes = r.number("free", 0, kU64Max, AnyValue::allowed)
			       .value_or(kU64Max);
	b.cost_rank = static_cast<std::uint32_t>(
		r.number("cost_rank", 0, 0xffffffffU).value_or(index));
	if (const Json *c = r.find("coherency"))
		b.coherency = read_coherencies(*c, r.path_of("coherency"));
	else
		b.coherency = {Coherency::any, Coherency::cached};
	return b;
}

PlatformBuffer read_buffer(const Json &v, const std::string &path,
			   const Document &doc,
			   const std::set<std::string> &device_names)
{
	const ObjectReader r(v, path,
			     {"description", "name", "size", "devices",
			      "hints"});
	read_description(r);
	PlatformBuffer b;

	b.name = read_name(r.require("name"), r.path_of("name"),
			     kMaxNameLength);
	b.size = read_number(r.require("size"), r.path_of("size"), 1,
			     kU64Max - doc.page_size);
	if (const Json *hints = r.find("hints")) {
		const std::string hp = r.path_of("hints");
		const Json &list = read_array(*hints, hp);
		for (std::size_t i = 0; i < list.size(); i++) {
			b.hints.push_back(
				read_constraints(list[i], child_path(hp, i)));
			if (b.hints.back().empty())
				throw InvalidInput(child_path(hp, i),
						   "a hint must set at least "
						   "one constraint");
		}
		if (b.hints.size() > kMaxHints)
			throw InvalidInput(hp, std::to_string(b.hints.size()) +
						       " hints, at most " +
						       std::to_string(kMaxHints));
	}
	if (const Json *devs = r.find("devices")) {
		const std::string dp = r.path_of("devices");
		const Json &list = read_array(*devs, dp);
		for (std::size_t i = 0; i < list.size(); i++) {
			const std::string p = child_path(dp, i);
			std::string name =
				read_name(list[i], p, kMaxDeviceLength);
			if (!device_names.contains(name))
				throw InvalidInput(p, "no device named " +
							      in_quotes(name) +
							      " in devices");
			b.devices.push_back(std::move(name));
		}
	}
	if (b.hints.size() + b.devices.size() > kMaxMembers)
		throw InvalidInput(path, "more than " +
						 std::to_string(kMaxMembers) +
						 " members (hints and devices)");
	return b;
}

// Each entry of the array section @key through @read.
template <typename Read>
void read_section(const ObjectReader &top, std::string_view key, Read read)
{
	const Json *section = top.find(key);

	if (!section)
		return;
	const std::string path = top.path_of(key);
	const Json &list = read_array(*section, path);
	for (std::size_t i = 0; i < list.size(); i++)
		read(list[i], child_path(path, i), i);
}

} // namespace

const PlatformDevice *Document::device(std::string_view name) const
{
	for (const PlatformDevice &d : devices)
		if (d.name == name)
			return &d;
	return nullptr;
}

Document parse_document(std::string_view text)
{
	const Json root = parse_json(text);
	const ObjectReader top(root, "",
			       {"version", "description", "page_size",
				"relax_default", "profiles", "devices",
				"backends", "buffers"});
	Document doc;
	std::set<std::string> names;

	if (auto v = top.number("version", 0, kU64Max); v && *v != kFormatVersion)
		throw InvalidInput("version",
				   "version " + std::to_string(*v) +
					   " is not known (this cenalloc reads "
					   "version " +
					   std::to_string(kFormatVersion) + ")");
	read_description(top, &doc.description);
	if (auto v = top.number("page_size", 512, 1U << 30)) {
		if (!std::has_single_bit(*v))
			throw InvalidInput("page_size", std::to_string(*v) +
								" is not a power of two");
		doc.page_size = static_cast<std::uint32_t>(*v);
	}
	doc.relax_default = top.boolean("relax_default").value_or(false);

	read_section(top, "profiles",
		     [&](const Json &v, const std::string &p, std::size_t) {
			     doc.profiles.push_back(read_profile(v, p));
		     });
	read_section(top, "devices",
		     [&](const Json &v, const std::string &p, std::size_t) {
			     doc.devices.push_back(read_device(v, p));
			     check_unique(names, doc.devices.back().name,
					  child_path(p, "name"), "device");
		     });
	// Kept for the buffers' references: a search of the devices for
	// each would be quadratic.
	const std::set<std::string> device_names = std::move(names);
	names.clear();
	read_section(top, "backends",
		     [&](const Json &v, const std::string &p, std::size_t i) {
			     if (i == kMaxBackends)
				     throw InvalidInput(
					     "backends",
					     "more than " +
						     std::to_string(kMaxBackends) +
						     " backends (the solver's "
						     "limit)");
			     doc.backends.push_back(
				     read_backend(v, p, i, doc.page_size));
			     check_unique(names, doc.backends.back().name,
					  child_path(p, "name"), "backend");
		     });
	names.clear();
	read_section(top, "buffers",
		     [&](const Json &v, const std::string &p, std::size_t) {
			     doc.buffers.push_back(
				     read_buffer(v, p, doc, device_names));
			     check_unique(names, doc.buffers.back().name,
					  child_path(p, "name"), "buffer");
		     });
	return doc;
}

Document read_document(const std::filesystem::path &file)
{
	const std::string text = read_input(file.string());

	try {
		return parse_document(text);
	} catch (const InvalidInput &e) {
		const std::string label = input_label(file.string());
		throw InvalidInput(e.where().empty() ? label
						     : label + ": " + e.where(),
				   e.problem());
	}
}

std::vector<PlatformBackend> backends_from_kernel(
	const std::vector<Backend> &backends)
{
	std::vector<PlatformBackend> out;

	out.reserve(backends.size());
	for (const Backend &b : backends)
		out.push_back(PlatformBackend{
			.name = b.name,
			.kind = b.kind,
			.max_chunk = b.max_chunk,
			.max_align = b.max_align,
			.addr_lo = b.addr_lo,
			.addr_hi = b.addr_hi,
			.lowest_limit = b.lowest_limit,
			.free_bytes = b.free_bytes,
			.cost_rank = b.cost_rank,
			.coherency = {Coherency::any, Coherency::cached},
		});
	return out;
}

const Profile *matching_profile(const std::vector<Profile> &profiles,
				const PlatformDevice &device)
{
	auto fits = [](const std::optional<std::string> &key,
		       const std::string &value) {
		return !key || (!value.empty() && *key == value);
	};

	// Newest first, as the kernel keeps its list.
	const auto newest = std::find_if(
		profiles.rbegin(), profiles.rend(), [&](const Profile &p) {
			return fits(p.match.device, device.name) &&
			       fits(p.match.driver, device.driver) &&
			       fits(p.match.bus, device.bus);
		});
	return newest == profiles.rend() ? nullptr : &*newest;
}

} // namespace cenalloc::platform
