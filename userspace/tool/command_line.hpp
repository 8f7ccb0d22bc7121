// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// command_line.hpp - the options and arguments of one subcommand.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cenalloc::tool {

struct OptionSpec {
	std::string_view name;		// "json" for --json
	std::string_view value_name;	// "" for a flag, "PATH" otherwise
	std::string_view help;
	bool repeatable = false;
	std::string_view short_name = {};	// "o" for -o, or none
};

// What a subcommand accepts and how it explains itself in --help.
struct CommandSpec {
	std::string_view name;		// "profile load"
	std::string_view arguments;	// "FILE.json"
	std::string_view summary;	// one line, for `cenalloc --help`
	std::string_view description;	// paragraphs, for --help
	std::vector<OptionSpec> options;
	std::size_t min_positionals = 0;
	std::size_t max_positionals = 0;
};

class Arguments {
public:
	// Parse @args (after the subcommand's name); UsageError names the
	// offending option.  --help is always accepted.
	Arguments(const CommandSpec &spec, std::vector<std::string> args);

	[[nodiscard]] bool help() const noexcept { return help_; }
	[[nodiscard]] bool flag(std::string_view name) const;
	[[nodiscard]] std::optional<std::string> value(std::string_view name) const;
	[[nodiscard]] std::vector<std::string> values(std::string_view name) const;
	// Every option in command-line order (for options whose order
	// matters, such as alloc's --hint and --constraint).
	[[nodiscard]] const std::vector<std::pair<std::string, std::string>> &
	ordered() const noexcept
	{
		return options_;
	}
	[[nodiscard]] const std::vector<std::string> &positionals() const noexcept
	{
		return positionals_;
	}

private:
	bool help_ = false;
	std::vector<std::pair<std::string, std::string>> options_;
	std::vector<std::string> positionals_;
};

// The --help text of @spec.
std::string help_text(const CommandSpec &spec);

} // namespace cenalloc::tool
