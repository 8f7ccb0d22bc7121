// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "command_line.hpp"

#include <algorithm>

#include "exit_status.hpp"

namespace cenalloc::tool {

namespace {

std::string see_help(const CommandSpec &spec)
{
	return " (see: cenalloc " + std::string(spec.name) + " --help)";
}

const OptionSpec *find_option(const CommandSpec &spec, std::string_view name)
{
	for (const OptionSpec &o : spec.options)
		if (o.name == name)
			return &o;
	return nullptr;
}

// "-o FILE" or "-oFILE" as "--output=FILE"; other words as they are.
std::string long_form(const CommandSpec &spec, const std::string &arg)
{
	if (arg.size() < 2 || arg.starts_with("--"))
		return arg;
	for (const OptionSpec &o : spec.options) {
		if (o.short_name.empty() || arg.substr(1, 1) != o.short_name)
			continue;
		if (arg.size() == 2)
			return "--" + std::string(o.name);
		if (!o.value_name.empty())
			return "--" + std::string(o.name) + "=" + arg.substr(2);
	}
	return arg;
}

// "--output FILE" or "-o, --output FILE", for the help text.
std::string option_words(const OptionSpec &o)
{
	std::string s = o.short_name.empty()
				? "--"
				: "-" + std::string(o.short_name) + ", --";

	s += o.name;
	if (!o.value_name.empty())
		s += " " + std::string(o.value_name);
	return s;
}

} // namespace

Arguments::Arguments(const CommandSpec &spec, std::vector<std::string> args)
{
	const std::string cmd(spec.name);
	bool options_done = false;

	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string arg =
			options_done ? args[i] : long_form(spec, args[i]);
		if (options_done || !arg.starts_with("-") || arg == "-") {
			positionals_.push_back(arg);
			continue;
		}
		if (arg == "--") {
			options_done = true;
			continue;
		}
		if (arg == "-h" || arg == "--help") {
			help_ = true;
			continue;
		}
		if (!arg.starts_with("--"))
			throw UsageError(cmd + ": unknown option " + arg +
					 see_help(spec));
		const std::size_t eq = arg.find('=');
		const std::string name = arg.substr(2, eq == std::string::npos
							       ? std::string::npos
							       : eq - 2);
		const OptionSpec *o = find_option(spec, name);
		if (!o)
			throw UsageError(cmd + ": unknown option --" + name +
					 see_help(spec));
		std::string value;
		if (o->value_name.empty()) {
			if (eq != std::string::npos)
				throw UsageError(cmd + ": --" + name +
						 " takes no value");
		} else if (eq != std::string::npos) {
			value = arg.substr(eq + 1);
		} else if (i + 1 < args.size()) {
			value = args[++i];
		} else {
			throw UsageError(cmd + ": --" + name + " needs a value (" +
					 std::string(o->value_name) + ")");
		}
		if (!o->repeatable && this->value(name))
			throw UsageError(cmd + ": --" + name +
					 " is given more than once");
		options_.emplace_back(name, std::move(value));
	}
	if (help_)
		return;
	if (positionals_.size() < spec.min_positionals)
		throw UsageError(cmd + ": missing " +
				 std::string(spec.arguments) + see_help(spec));
	if (positionals_.size() > spec.max_positionals)
		throw UsageError(cmd + ": unexpected argument '" +
				 positionals_[spec.max_positionals] + "'" +
				 see_help(spec));
}

bool Arguments::flag(std::string_view name) const
{
	return value(name).has_value();
}

std::optional<std::string> Arguments::value(std::string_view name) const
{
	for (const auto &[n, v] : options_)
		if (n == name)
			return v;
	return std::nullopt;
}

std::vector<std::string> Arguments::values(std::string_view name) const
{
	std::vector<std::string> out;

	for (const auto &[n, v] : options_)
		if (n == name)
			out.push_back(v);
	return out;
}

std::string help_text(const CommandSpec &spec)
{
	std::string out = "usage: cenalloc " + std::string(spec.name);
	std::size_t width = std::string_view("-h, --help").size();

	if (!spec.options.empty())
		out += " [options]";
	if (!spec.arguments.empty())
		out += " " + std::string(spec.arguments);
	out += "\n\n" + std::string(spec.description) + "\n";
	for (const OptionSpec &o : spec.options)
		width = std::max(width, option_words(o).size());
	out += "\noptions:\n";
	auto line = [&out, width](std::string left, std::string_view help) {
		left.resize(std::max(left.size(), width), ' ');
		out += "  " + left + "  " + std::string(help) + "\n";
	};
	for (const OptionSpec &o : spec.options)
		line(option_words(o), o.help);
	line("-h, --help", "this text");
	return out;
}

} // namespace cenalloc::tool
