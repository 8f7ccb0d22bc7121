// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// commands.hpp - the subcommands of cenalloc, one file each.
#pragma once

#include <ostream>
#include <span>

#include "command_line.hpp"
#include "exit_status.hpp"

namespace cenalloc::tool {

struct Command {
	const CommandSpec &spec;
	ExitStatus (*run)(const Arguments &args, std::ostream &out);
};

extern const CommandSpec kBackendsSpec;
extern const CommandSpec kAllocSpec;
extern const CommandSpec kInfoSpec;
extern const CommandSpec kProfileLoadSpec;
extern const CommandSpec kProfileShowSpec;
extern const CommandSpec kProfileClearSpec;
extern const CommandSpec kSolveSpec;
extern const CommandSpec kDiscoverSpec;

ExitStatus run_backends(const Arguments &args, std::ostream &out);
ExitStatus run_alloc(const Arguments &args, std::ostream &out);
ExitStatus run_info(const Arguments &args, std::ostream &out);
ExitStatus run_profile_load(const Arguments &args, std::ostream &out);
ExitStatus run_profile_show(const Arguments &args, std::ostream &out);
ExitStatus run_profile_clear(const Arguments &args, std::ostream &out);
ExitStatus run_solve(const Arguments &args, std::ostream &out);
ExitStatus run_discover(const Arguments &args, std::ostream &out);

// Every subcommand, in the order `cenalloc --help` lists them.
std::span<const Command> all_commands();

} // namespace cenalloc::tool
