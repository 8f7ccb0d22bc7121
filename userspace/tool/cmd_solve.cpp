// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc solve: the offline what-if.  The decisions come from
// kernel/constraints/, the code cenalloc.ko runs, on the platform a JSON
// document describes; no module is needed.
#include "commands.hpp"
#include "constraints_json.hpp"
#include "table.hpp"
#include "tool_support.hpp"
#include "what_if.hpp"

namespace cenalloc::tool {

const CommandSpec kSolveSpec{
	.name = "solve",
	.arguments = "PLATFORM.json",
	.summary = "what cenalloc would decide on a platform described in JSON",
	.description =
		"Runs the kernel module's own constraint code on the devices,\n"
		"profiles, backends and buffers of PLATFORM.json\n"
		"(docs/profiles.md) and prints, for every buffer: each member's\n"
		"constraints and where they come from (struct device, platform\n"
		"profile, driver, default policy), the merged set, every backend\n"
		"accepted or refused with the reason, and the backend cenalloc\n"
		"would use, with why.  Works without the module loaded.\n"
		"\n"
		"Exit status 1 when some buffer cannot be backed.",
	.options = {
		{"profile", "FILE.json",
		 "also apply the profiles of FILE.json, as if loaded after the "
		 "platform's own",
		 true},
		{"kernel-backends", "",
		 "use the running kernel's backends (QUERY) instead of the "
		 "file's"},
		kJsonOption,
		kDeviceOption,
	},
	.min_positionals = 1,
	.max_positionals = 1,
};

namespace {

std::string plan_text(const platform::PlatformBackend &b,
		      const platform::BackendVerdict &v, std::uint64_t size,
		      bool has_members)
{
	std::string s = v.preference == 0 ? "accepted, first choice: "
					  : "accepted, choice " +
						    std::to_string(v.preference + 1) +
						    ": ";

	if (b.kind == BackendKind::scatter && v.chunk < size)
		s += "chunks of at least " + format_bytes(v.chunk);
	else
		s += "one chunk of " + format_bytes(size);
	s += " aligned to " + format_bytes(v.align);
	s += v.addr_limit == kNoLimit ? ", anywhere"
				      : ", below " + format_address(v.addr_limit);
	if (v.prefer_limit < v.addr_limit)
		s += " (at or below " + format_address(v.prefer_limit) +
		     " first, for devices that may attach later)";
	if (has_members)
		s += "; a device sees at most " +
		     std::to_string(v.max_segments) +
		     (v.max_segments == 1 ? " segment" : " segments");
	return s;
}

std::string member_text(const Constraints &c)
{
	std::string s;

	for (Field f : kAllFields)
		if (c.has(f))
			s += (s.empty() ? "" : ", ") + std::string(to_string(f)) +
			     " " + c.value_text(f) + " (" +
			     std::string(to_string(c.source(f))) + ")";
	return s.empty() ? "nothing constrained" : s;
}

void print_text(std::ostream &out, const platform::Document &doc,
		const std::string &path,
		const std::vector<platform::BufferDecision> &decisions)
{
	out << path;
	if (!doc.description.empty())
		out << ": " << doc.description;
	out << "\n" << doc.devices.size() << " devices, " << doc.profiles.size()
	    << " profiles, " << doc.backends.size() << " backends, page size "
	    << doc.page_size
	    << (doc.relax_default ? ", default policy relaxed" : "") << "\n";
	for (const platform::BufferDecision &d : decisions) {
		out << "\nbuffer \"" << d.buffer << "\", " << d.size
		    << " bytes (" << human_bytes(d.size) << ")\n";
		for (const platform::ResolvedMember &m : d.members)
			out << "  member " << m.name << ": "
			    << member_text(m.constraints) << "\n";
		Table t({"BACKEND", "VERDICT"});
		for (std::size_t i = 0; i < d.backends.size(); i++) {
			const auto &v = d.backends[i];
			t.add({v.backend,
			       v.accepted ? plan_text(doc.backends[i], v, d.size,
						   !d.members.empty())
					  : "refused: " + v.reason});
		}
		t.print(out, "  ");
		if (d.feasible())
			out << "  => " << d.backend << ": " << d.reason << "\n";
		else
			out << "  => cannot be backed: " << d.reason << "\n";
	}
}

platform::Json to_json(const platform::Document &doc,
		       const std::vector<platform::BufferDecision> &decisions)
{
	platform::Json buffers = platform::Json::array();

	for (const platform::BufferDecision &d : decisions) {
		platform::Json members = platform::Json::array();
		platform::Json backends = platform::Json::array();
		platform::Json from = platform::Json::object();
		for (const auto &m : d.members)
			members.push_back(
				{{"name", m.name},
				 {"hint", m.from_hint},
				 {"constraints",
				  platform::constraints_to_json(m.constraints)},
				 {"sources",
				  platform::sources_to_json(m.constraints)}});
		for (Field f : kAllFields)
			if (const auto o = d.merged.origin(f);
			    o && *o < d.members.size())
				from[std::string(key_of(f))] = d.members[*o].name;
		for (const auto &v : d.backends) {
			platform::Json b{{"name", v.backend},
					 {"accepted", v.accepted}};
			if (v.accepted) {
				b["preference"] = v.preference;
				b["chunk"] = v.chunk;
				b["align"] = v.align;
				b["addr_limit"] = format_address(v.addr_limit);
				b["prefer_limit"] =
					format_address(v.prefer_limit);
				b["max_segments"] = v.max_segments;
			} else {
				b["reason"] = v.reason;
			}
			backends.push_back(b);
		}
		buffers.push_back({
			{"name", d.buffer},
			{"size", d.size},
			{"members", members},
			{"merged",
			 {{"constraints",
			   platform::constraints_to_json(d.merged)},
			  {"sources", platform::sources_to_json(d.merged)},
			  {"from", from}}},
			{"backends", backends},
			{"backend", d.feasible() ? platform::Json(d.backend)
						 : platform::Json(nullptr)},
			{"reason", d.reason},
		});
	}
	return {{"description", doc.description},
		{"page_size", doc.page_size},
		{"buffers", buffers}};
}

} // namespace

ExitStatus run_solve(const Arguments &args, std::ostream &out)
{
	const std::string &path = args.positionals()[0];
	platform::Document doc = load_document(path);

	for (const std::string &file : args.values("profile")) {
		platform::Document extra = load_document(file);
		doc.profiles.insert(doc.profiles.end(), extra.profiles.begin(),
				    extra.profiles.end());
	}
	if (args.flag("kernel-backends")) {
		try {
			doc.backends = platform::backends_from_kernel(
				open_allocator(args).query().backends);
		} catch (const Error &e) {
			throw failure_from(e);
		}
	}
	if (doc.backends.empty())
		throw Failure(ExitStatus::invalid_input,
			      path + ": backends: solve needs at least one "
				     "backend (or --kernel-backends)");
	if (doc.buffers.empty())
		throw Failure(ExitStatus::invalid_input,
			      path + ": buffers: solve needs at least one buffer");

	const std::vector<platform::BufferDecision> decisions =
		platform::solve(doc);
	if (args.flag("json"))
		print_json(out, to_json(doc, decisions));
	else
		print_text(out, doc, path, decisions);
	for (const auto &d : decisions)
		if (!d.feasible())
			return ExitStatus::failed;
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
