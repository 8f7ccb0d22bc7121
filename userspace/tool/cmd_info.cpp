// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc info: one buffer (by id, or by a dma-buf fd this command
// inherited), or every cenalloc buffer on the system.
#include <cerrno>
#include <charconv>

#include "buffer_view.hpp"
#include "commands.hpp"
#include "tool_support.hpp"

namespace cenalloc::tool {

const CommandSpec kInfoSpec{
	.name = "info",
	.arguments = "[ID]",
	.summary = "what cenalloc decided for one buffer, or for every buffer",
	.description =
		"With ID, shows buffer ID in full: its state and backend, the\n"
		"last decision and why, migrations, the merged constraints and\n"
		"which member imposed each, and every member (attached device or\n"
		"creation hint) with its constraints and their sources.  With\n"
		"--fd N, the same for the dma-buf this command inherited as\n"
		"descriptor N (no privilege needed: `cenalloc info --fd 3 3<&...`\n"
		"from a program that holds the buffer).  With neither, one line\n"
		"for every cenalloc buffer on the system.\n"
		"\n"
		"Buffers are found by id, which needs root (CAP_SYS_ADMIN).  The\n"
		"list of ids comes from /sys/kernel/debug/cenalloc/buffers when\n"
		"debugfs is mounted, else from asking the kernel for every id up\n"
		"to that of a buffer created for the purpose (ids only grow).  A\n"
		"buffer released meanwhile is left out.",
	.options = {
		{"fd", "N", "the buffer is this inherited file descriptor"},
		kJsonOption,
		kDeviceOption,
	},
	.min_positionals = 0,
	.max_positionals = 1,
};

namespace {

template <typename T> T parse_number(const std::string &text, const char *what)
{
	T value{};
	const auto [end, ec] =
		std::from_chars(text.data(), text.data() + text.size(), value);

	if (ec != std::errc{} || end != text.data() + text.size())
		throw UsageError("info: " + std::string(what) + " '" +
				 text + "' is not a number");
	return value;
}

std::vector<BufferInfo> every_buffer(const Allocator &alloc)
{
	std::vector<BufferInfo> all;

	for (std::uint64_t id : alloc.buffer_ids()) {
		try {
			all.push_back(alloc.info_by_id(id));
		} catch (const Error &e) {
			// Released since it was listed.
			if (e.errno_value() != ENOENT)
				throw;
		}
	}
	return all;
}

} // namespace

ExitStatus run_info(const Arguments &args, std::ostream &out)
{
	const bool json = args.flag("json");
	const auto fd = args.value("fd");

	if (fd && !args.positionals().empty())
		throw UsageError("info: give an ID or --fd, not both");
	// Arguments first: a typo is a usage error whether or not the
	// module is loaded.
	const bool by_fd = fd.has_value();
	const bool by_id = !args.positionals().empty();
	const int buffer_fd = by_fd ? parse_number<int>(*fd, "--fd") : -1;
	const std::uint64_t id =
		by_id ? parse_number<std::uint64_t>(args.positionals()[0], "ID")
		      : 0;
	const Allocator alloc = open_allocator(args);
	try {
		if (by_fd || by_id) {
			const BufferInfo info = by_fd ? alloc.info(buffer_fd)
						      : alloc.info_by_id(id);
			if (json)
				print_json(out, buffer_to_json(info));
			else
				print_buffer(out, info);
			return ExitStatus::ok;
		}
		const std::vector<BufferInfo> all = every_buffer(alloc);
		if (json) {
			platform::Json list = platform::Json::array();
			for (const BufferInfo &b : all)
				list.push_back(buffer_to_json(b));
			print_json(out, {{"buffers", list}});
		} else if (all.empty()) {
			out << "no cenalloc buffers\n";
		} else {
			print_buffer_table(out, all);
		}
	} catch (const Error &e) {
		throw failure_from(e);
	}
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
