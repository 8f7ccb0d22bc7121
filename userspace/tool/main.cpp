// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc - the command-line face of cenalloc: its backends, buffers and
// decisions, platform profiles, and the offline what-if solver.
#include <iostream>
#include <string>
#include <vector>

#include "cenalloc/error.hpp"
#include "commands.hpp"
#include "invalid_input.hpp"
#include "tool_support.hpp"

#ifndef CENALLOC_VERSION
#define CENALLOC_VERSION "unknown"
#endif

namespace cenalloc::tool {
namespace {

constexpr std::string_view kExitStatuses =
	"exit status:\n"
	"  0  success\n"
	"  1  refused or failed: the kernel said no (its reason is printed), or\n"
	"     solve found a buffer that cannot be backed\n"
	"  2  usage: unknown command or option, missing or bad argument\n"
	"  3  invalid input: a JSON file that cannot be read or used (the\n"
	"     message names the file and the JSON path)\n"
	"  4  cenalloc unavailable: no /dev/cenalloc (is the module loaded?),\n"
	"     or --device names something that is not cenalloc\n"
	"  5  permission denied: the operation needs root (CAP_SYS_ADMIN)\n";

std::string main_help()
{
	std::string out =
		"usage: cenalloc COMMAND [options] [arguments]\n"
		"       cenalloc COMMAND --help\n\n"
		"cenalloc allocates dma-bufs for the devices that use them: it\n"
		"merges their DMA constraints and picks memory that suits all of\n"
		"them.  This command shows what it can do and what it decided,\n"
		"loads platform profiles, and predicts decisions offline.\n\n"
		"commands:\n";
	for (const Command &c : all_commands()) {
		std::string left = std::string(c.spec.name) + " " +
				   std::string(c.spec.arguments);
		left.resize(std::max<std::size_t>(left.size(), 34), ' ');
		out += "  " + left + std::string(c.spec.summary) + "\n";
	}
	out += "\noptions:\n"
	       "  -h, --help     this text\n"
	       "  -V, --version  the version of this tool\n\n";
	out += kExitStatuses;
	out += "\nJSON documents: docs/profiles.md; examples in "
	       "share/cenalloc/profiles.\n";
	return out;
}

const Command *find_command(const std::string &name)
{
	for (const Command &c : all_commands())
		if (c.spec.name == name)
			return &c;
	return nullptr;
}

// "cenalloc profile --help": the three profile commands.
void print_profile_help()
{
	std::cout << "usage: cenalloc profile load|show|clear FILE.json\n\n";
	for (const Command &c : all_commands()) {
		if (!c.spec.name.starts_with("profile "))
			continue;
		std::string name(c.spec.name);
		name.resize(std::max<std::size_t>(name.size(), 13), ' ');
		std::cout << "  " << name << "  " << c.spec.summary << "\n";
	}
	std::cout << "\n(see: cenalloc profile load --help)\n";
}

ExitStatus run(std::vector<std::string> args)
{
	if (args.empty()) {
		// Usage to stderr: stdout may be a pipe expecting output.
		std::cerr << "cenalloc: no command given\n\n" << main_help();
		return ExitStatus::usage;
	}
	const std::string first = args.front();
	if (first == "--help" || first == "-h" ||
	    (first == "help" && args.size() == 1)) {
		std::cout << main_help();
		return ExitStatus::ok;
	}
	if (first == "--version" || first == "-V") {
		std::cout << "cenalloc " << CENALLOC_VERSION << "\n";
		return ExitStatus::ok;
	}
	// "help alloc" is "alloc --help".
	if (first == "help") {
		args.erase(args.begin());
		args.emplace_back("--help");
	}
	std::string name = args.front();
	args.erase(args.begin());
	if (name == "profile") {
		if (args.empty())
			throw UsageError("profile: expected load, show or "
					 "clear (see: cenalloc profile --help)");
		if (args.front() == "--help" || args.front() == "-h") {
			print_profile_help();
			return ExitStatus::ok;
		}
		name += " " + args.front();
		args.erase(args.begin());
	}
	const Command *cmd = find_command(name);
	if (!cmd)
		throw UsageError("unknown command '" + name +
				 "' (see: cenalloc --help)");
	const Arguments parsed(cmd->spec, std::move(args));
	if (parsed.help()) {
		std::cout << help_text(cmd->spec) << "\n" << kExitStatuses;
		return ExitStatus::ok;
	}
	return cmd->run(parsed, std::cout);
}

} // namespace
} // namespace cenalloc::tool

int main(int argc, char **argv)
{
	using namespace cenalloc::tool;
	ExitStatus status = ExitStatus::failed;

	try {
		status = run(std::vector<std::string>(argv + 1, argv + argc));
	} catch (const Failure &e) {
		std::cerr << "cenalloc: " << e.what() << "\n";
		status = e.status();
	} catch (const cenalloc::platform::InvalidInput &e) {
		std::cerr << "cenalloc: " << e.what() << "\n";
		status = ExitStatus::invalid_input;
	} catch (const cenalloc::Error &e) {
		std::cerr << "cenalloc: " << e.what() << "\n";
		status = failure_from(e).status();
	} catch (const std::exception &e) {
		std::cerr << "cenalloc: " << e.what() << "\n";
		status = ExitStatus::failed;
	}
	std::cout.flush();
	return static_cast<int>(status);
}
