// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc profile load|show|clear: platform profiles from a JSON file
// into the kernel (PROFILE_SET), out of it (PROFILE_CLEAR), or onto the
// terminal.  A profile applies to a matching device the next time it
// attaches to a buffer; buffers it is attached to keep what they had.
#include <cerrno>

#include "commands.hpp"
#include "constraints_json.hpp"
#include "text.hpp"
#include "tool_support.hpp"

namespace cenalloc::tool {

// The closing paragraph of `profile load` and `profile show --help`: a
// macro so that each description stays one string literal.
#define CEN_PROFILE_FILE_HELP \
	"FILE.json is a cenalloc document (docs/profiles.md) with a \"profiles\"\n" \
	"section: entries of a \"match\" (device, driver, bus: every key given\n" \
	"must match) and \"constraints\".  When several profiles match a\n" \
	"device, the kernel uses the newest: the last one loaded."

const CommandSpec kProfileLoadSpec{
	.name = "profile load",
	.arguments = "FILE.json",
	.summary = "load the profiles of a JSON file into the kernel (root)",
	.description =
		"Checks FILE.json, then hands each profile to the kernel in file\n"
		"order (PROFILE_SET; needs root).  A profile with the same match\n"
		"as one already loaded replaces it.  Each applies when a matching\n"
		"device next attaches to a buffer.  Stops at the first profile the\n"
		"kernel refuses; those before it stay loaded.\n\n"
		CEN_PROFILE_FILE_HELP,
	.options = {kDeviceOption},
	.min_positionals = 1,
	.max_positionals = 1,
};

const CommandSpec kProfileShowSpec{
	.name = "profile show",
	.arguments = "FILE.json",
	.summary = "check a profile file and show what it would load",
	.description =
		"Checks FILE.json as `profile load` would and prints its profiles;\n"
		"needs no module and no privilege.  With --json, prints them in\n"
		"the document format, ready to be loaded.\n\n"
		CEN_PROFILE_FILE_HELP,
	.options = {kJsonOption},
	.min_positionals = 1,
	.max_positionals = 1,
};

const CommandSpec kProfileClearSpec{
	.name = "profile clear",
	.arguments = "FILE.json | --all",
	.summary = "remove the profiles of a JSON file from the kernel (root)",
	.description =
		"Removes from the kernel each profile whose match FILE.json gives\n"
		"(PROFILE_CLEAR; needs root), or every profile with --all.  A\n"
		"profile that is not loaded is reported and skipped.  Buffers keep\n"
		"what their members resolved when they attached.",
	.options = {{"all", "", "remove every profile, not those of a file"},
		    kDeviceOption},
	.min_positionals = 0,
	.max_positionals = 1,
};

namespace {

std::vector<Profile> profiles_of(const std::string &path)
{
	platform::Document doc = load_document(path);

	if (doc.profiles.empty())
		throw Failure(ExitStatus::invalid_input,
			      path + ": profiles: the file has no profiles");
	return std::move(doc.profiles);
}

platform::Json match_to_json(const DeviceMatch &m)
{
	platform::Json j = platform::Json::object();

	if (m.device)
		j["device"] = *m.device;
	if (m.driver)
		j["driver"] = *m.driver;
	if (m.bus)
		j["bus"] = *m.bus;
	return j;
}

} // namespace

ExitStatus run_profile_load(const Arguments &args, std::ostream &out)
{
	const std::string &path = args.positionals()[0];
	const std::vector<Profile> profiles = profiles_of(path);
	const Allocator alloc = open_allocator(args);

	for (const Profile &p : profiles) {
		try {
			alloc.set_profile(p);
		} catch (const Error &e) {
			throw failure_from(e);
		}
		out << "loaded " << p.match.describe() << ": "
		    << constraint_list(p.constraints, false) << "\n";
	}
	return ExitStatus::ok;
}

ExitStatus run_profile_show(const Arguments &args, std::ostream &out)
{
	const std::string &path = args.positionals()[0];
	const std::vector<Profile> profiles = profiles_of(path);

	if (args.flag("json")) {
		platform::Json list = platform::Json::array();
		for (const Profile &p : profiles)
			list.push_back(
				{{"match", match_to_json(p.match)},
				 {"constraints",
				  platform::constraints_to_json(p.constraints)}});
		print_json(out, {{"version", 1}, {"profiles", list}});
		return ExitStatus::ok;
	}
	out << count_text(profiles.size(), "profile", "profiles") << " in "
	    << path
	    << " (a device takes the last one that matches it):\n";
	for (const Profile &p : profiles)
		out << "  " << p.match.describe() << ": "
		    << constraint_list(p.constraints, false) << "\n";
	return ExitStatus::ok;
}

ExitStatus run_profile_clear(const Arguments &args, std::ostream &out)
{
	const bool all = args.flag("all");

	if (all == !args.positionals().empty())
		throw UsageError("profile clear: give FILE.json or "
				 "--all (see: cenalloc profile clear --help)");
	std::vector<Profile> profiles;
	if (!all)
		profiles = profiles_of(args.positionals()[0]);
	const Allocator alloc = open_allocator(args);
	try {
		if (all) {
			alloc.clear_all_profiles();
			out << "cleared every profile\n";
			return ExitStatus::ok;
		}
		for (const Profile &p : profiles) {
			try {
				alloc.clear_profile(p.match);
				out << "cleared " << p.match.describe() << "\n";
			} catch (const Error &e) {
				if (e.errno_value() != ENOENT)
					throw;
				out << "not loaded: " << p.match.describe()
				    << "\n";
			}
		}
	} catch (const Error &e) {
		throw failure_from(e);
	}
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
