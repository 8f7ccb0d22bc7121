// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "commands.hpp"

#include <array>

namespace cenalloc::tool {

std::span<const Command> all_commands()
{
	static const std::array<Command, 8> kCommands = {{
		{kBackendsSpec, run_backends},
		{kAllocSpec, run_alloc},
		{kInfoSpec, run_info},
		{kProfileLoadSpec, run_profile_load},
		{kProfileShowSpec, run_profile_show},
		{kProfileClearSpec, run_profile_clear},
		{kSolveSpec, run_solve},
		{kDiscoverSpec, run_discover},
	}};
	return kCommands;
}

} // namespace cenalloc::tool
