// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc solve: the offline what-if.  The decisions come from
// kernel/constraints/, the code cenalloc.ko runs, on the platform a JSON
// document describes; no module is needed.
#include <algorithm>
#include <iostream>
#include <limits>
#include <optional>

#include "commands.hpp"
#include "constraints_json.hpp"
#include "input_file.hpp"
#include "printable.hpp"
#include "table.hpp"
#include "text.hpp"
#include "tool_support.hpp"
#include "what_if.hpp"

namespace cenalloc::tool {

const CommandSpec kSolveSpec{
	.name = "solve",
	.arguments = "PLATFORM.json...",
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
		"Several files are solved in turn, each on its own: the output of\n"
		"each starts with a line \"==> FILE <==\" (with --json: an array\n"
		"of one result per file, each with its \"file\").  A file that\n"
		"cannot be used is reported and the others are still solved.\n"
		"- reads standard input (once).  A file may hold at most 1 MiB.\n"
		"\n"
		"Exit status 3 when some file cannot be used, else 1 when some\n"
		"buffer cannot be backed.",
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
	.max_positionals = std::numeric_limits<std::size_t>::max(),
};

namespace {

// Where the plan puts the buffer: "one chunk of 3040 KiB aligned to
// 4 MiB, below 0xffffffff".
std::string plan_text(const platform::PlatformBackend &b,
		      const platform::BackendVerdict &v, std::uint64_t size)
{
	std::string s;

	if (b.kind == BackendKind::scatter && v.chunk < size)
		s += "chunks of at least " + bytes_text(v.chunk);
	else
		s += "one chunk of " + bytes_text(size);
	s += " aligned to " + bytes_text(v.align);
	s += v.addr_limit == kNoLimit ? ", anywhere"
				      : ", below " + format_address(v.addr_limit);
	if (v.prefer_limit < v.addr_limit)
		s += " (at or below " + format_address(v.prefer_limit) +
		     " first, for devices that may attach later)";
	return s;
}

// The kernel tries accepted backends in order and stops at the first
// that serves the buffer: the others are skipped, not failures; so is a
// backend of scarce memory that nobody needs.
std::string verdict_text(const platform::Document &doc,
			 const platform::BufferDecision &d, std::size_t i)
{
	const platform::BackendVerdict &v = d.backends[i];

	if (!v.accepted)
		return (v.not_needed ? "skipped: " : "refused: ") + v.reason;
	const std::string plan = plan_text(doc.backends[i], v, d.size);
	if (v.preference == 0)
		return "chosen: " + plan;
	return "skipped: " + d.backend + " comes first; would give " + plan;
}

// Each device's own worst case against its own limit: "each device sees:
// vivid.0 1 segment (allows 1), gpu 48 segments (allows any)".
std::string segments_text(const platform::BufferDecision &d,
			  const platform::BackendVerdict &v)
{
	std::string s = "each device sees: ";

	for (std::size_t m = 0; m < d.members.size(); m++)
		s += (m ? ", " : "") + d.members[m].name + " " +
		     count_text(v.member_segments.at(m), "segment", "segments") +
		     " (allows " +
		     field_text(d.members[m].constraints, Field::max_segments) +
		     ")";
	return s;
}

void print_buffer(std::ostream &out, const platform::Document &doc,
		  const platform::BufferDecision &d)
{
	out << "\nbuffer \"" << d.buffer << "\", " << size_text(d.size) << "\n";
	for (const platform::ResolvedMember &m : d.members)
		out << "  member " << m.name << ": "
		    << constraint_list(m.constraints) << "\n";
	Table t({"BACKEND", "VERDICT"});
	for (std::size_t i = 0; i < d.backends.size(); i++) {
		t.add({d.backends[i].backend, verdict_text(doc, d, i)});
		if (d.backends[i].accepted && !d.members.empty())
			t.add({"", segments_text(d, d.backends[i])});
	}
	t.print(out, "  ");
	if (d.feasible())
		out << "  => " << d.backend << ": " << d.reason << "\n";
	else
		out << "  => cannot be backed: " << d.reason << "\n";
}

void print_text(std::ostream &out, const platform::Document &doc,
		const std::string &label,
		const std::vector<platform::BufferDecision> &decisions)
{
	out << label;
	if (!doc.description.empty())
		out << ": "
		    << platform::printable(doc.description,
					   doc.description.size());
	out << "\n" << count_text(doc.devices.size(), "device", "devices")
	    << ", " << count_text(doc.profiles.size(), "profile", "profiles")
	    << ", " << count_text(doc.backends.size(), "backend", "backends")
	    << ", page size " << bytes_text(doc.page_size)
	    << (doc.relax_default ? ", default policy relaxed" : "") << "\n";
	for (const platform::BufferDecision &d : decisions)
		print_buffer(out, doc, d);
}

// "chosen", "skipped" or "refused", as the text says it.
std::string verdict_word(const platform::BackendVerdict &v)
{
	if (v.accepted)
		return v.preference == 0 ? "chosen" : "skipped";
	return v.not_needed ? "skipped" : "refused";
}

platform::Json backend_json(const platform::BackendVerdict &v)
{
	platform::Json b{{"name", v.backend},
			 {"accepted", v.accepted},
			 {"verdict", verdict_word(v)}};

	if (!v.accepted) {
		b["reason"] = v.reason;
		return b;
	}
	b["preference"] = v.preference;
	b["chunk"] = v.chunk;
	b["align"] = v.align;
	b["addr_limit"] = format_address(v.addr_limit);
	b["prefer_limit"] = format_address(v.prefer_limit);
	b["max_segments"] = v.max_segments;
	// Each member's worst case, in the order of "members".
	b["segments"] = v.member_segments;
	return b;
}

platform::Json buffer_json(const platform::BufferDecision &d)
{
	platform::Json members = platform::Json::array();
	platform::Json backends = platform::Json::array();
	platform::Json from = platform::Json::object();

	for (const auto &m : d.members)
		members.push_back(
			{{"name", m.name},
			 {"hint", m.from_hint},
			 {"constraints", platform::constraints_to_json(m.constraints)},
			 {"sources", platform::sources_to_json(m.constraints)}});
	for (Field f : kAllFields)
		if (const auto o = d.merged.origin(f); o && *o < d.members.size())
			from[std::string(key_of(f))] = d.members[*o].name;
	for (const auto &v : d.backends)
		backends.push_back(backend_json(v));
	return {
		{"name", d.buffer},
		{"size", d.size},
		{"members", members},
		{"merged",
		 {{"constraints", platform::constraints_to_json(d.merged)},
		  {"sources", platform::sources_to_json(d.merged)},
		  {"from", from}}},
		{"backends", backends},
		{"backend", d.feasible() ? platform::Json(d.backend)
					 : platform::Json(nullptr)},
		{"reason", d.reason},
	};
}

platform::Json to_json(const std::string &label, const platform::Document &doc,
		       const std::vector<platform::BufferDecision> &decisions)
{
	platform::Json buffers = platform::Json::array();

	for (const platform::BufferDecision &d : decisions)
		buffers.push_back(buffer_json(d));
	return {{"file", label},
		{"description", doc.description},
		{"page_size", doc.page_size},
		{"buffers", buffers}};
}

// What every file is solved with.
struct Setting {
	std::vector<Profile> profiles{};  // of --profile, newer than a file's
	std::optional<std::vector<platform::PlatformBackend>> kernel_backends{};
	bool json = false;
};

// Standard input can be read once: "-" may be given once in all.
void check_stdin_once(const Arguments &args)
{
	std::vector<std::string> files = args.positionals();
	const std::vector<std::string> profiles = args.values("profile");

	files.insert(files.end(), profiles.begin(), profiles.end());
	if (std::ranges::count(files, std::string(platform::kStdinName)) > 1)
		throw UsageError("solve: standard input (-) can be read only "
				 "once");
}

Setting read_setting(const Arguments &args)
{
	Setting s{.json = args.flag("json")};

	for (const std::string &file : args.values("profile")) {
		const platform::Document extra = load_document(file);
		s.profiles.insert(s.profiles.end(), extra.profiles.begin(),
				  extra.profiles.end());
	}
	if (args.flag("kernel-backends")) {
		try {
			s.kernel_backends = platform::backends_from_kernel(
				open_allocator(args).query().backends);
		} catch (const Error &e) {
			throw failure_from(e);
		}
	}
	return s;
}

// Solve @path and print it as text to @out, or add it to @results; ok,
// or failed when some buffer cannot be backed.  Failure when the file
// cannot be used.
ExitStatus solve_file(const std::string &path, const Setting &setting,
		      std::ostream &out, platform::Json &results)
{
	const std::string label = platform::input_label(path);
	platform::Document doc = load_document(path);

	doc.profiles.insert(doc.profiles.end(), setting.profiles.begin(),
			    setting.profiles.end());
	if (setting.kernel_backends)
		doc.backends = *setting.kernel_backends;
	if (doc.backends.empty())
		throw Failure(ExitStatus::invalid_input,
			      label + ": backends: solve needs at least one "
				      "backend (or --kernel-backends)");
	if (doc.buffers.empty())
		throw Failure(ExitStatus::invalid_input,
			      label + ": buffers: solve needs at least one buffer");

	const std::vector<platform::BufferDecision> decisions =
		platform::solve(doc);
	if (setting.json)
		results.push_back(to_json(label, doc, decisions));
	else
		print_text(out, doc, label, decisions);
	const bool feasible = std::ranges::all_of(
		decisions, &platform::BufferDecision::feasible);
	return feasible ? ExitStatus::ok : ExitStatus::failed;
}

} // namespace

ExitStatus run_solve(const Arguments &args, std::ostream &out)
{
	check_stdin_once(args);
	const Setting setting = read_setting(args);
	const std::vector<std::string> &files = args.positionals();
	platform::Json results = platform::Json::array();
	ExitStatus status = ExitStatus::ok;

	for (std::size_t i = 0; i < files.size(); i++) {
		if (files.size() > 1 && !setting.json)
			out << (i ? "\n" : "") << "==> "
			    << platform::input_label(files[i]) << " <==\n";
		try {
			if (solve_file(files[i], setting, out, results) !=
				    ExitStatus::ok &&
			    status == ExitStatus::ok)
				status = ExitStatus::failed;
		} catch (const Failure &e) {
			// Said now, between the outputs of the files around
			// it; the worst status is the command's.
			out.flush();
			std::cerr << "cenalloc: " << e.what() << "\n";
			status = e.status();
		}
	}
	// One file prints its result, as before several could be given.
	if (setting.json && files.size() > 1)
		print_json(out, results);
	else if (setting.json && !results.empty())
		print_json(out, results.front());
	return status;
}

} // namespace cenalloc::tool
