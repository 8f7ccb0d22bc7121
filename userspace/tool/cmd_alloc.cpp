// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc alloc: create a buffer, optionally make it allocate, print its
// INFO.  The buffer is freed when the command exits: this shows what
// cenalloc would decide, it does not keep memory.
#include "buffer_view.hpp"
#include "commands.hpp"
#include "constraints_json.hpp"
#include "invalid_input.hpp"
#include "quantity.hpp"
#include "tool_support.hpp"

namespace cenalloc::tool {

const CommandSpec kAllocSpec{
	.name = "alloc",
	.arguments = "SIZE",
	.summary = "create a buffer and print what cenalloc decided for it",
	.description =
		"Creates a cenalloc buffer of SIZE bytes (4096, 0x1000, \"4 MiB\",\n"
		"4M) with the given creation hints and prints its INFO.  A buffer\n"
		"has no memory until something needs it: --populate begins CPU\n"
		"access, which makes cenalloc allocate for the members known so\n"
		"far, so the output shows the backend it chose and why.  The\n"
		"buffer is released when the command exits.\n"
		"\n"
		"--constraint applies to the --hint before it, or to a hint of\n"
		"its own when none came before.  KEY is one of addr_limit,\n"
		"max_segments, max_seg_size, seg_boundary_mask, align, iommu,\n"
		"coherency; VALUE as in a JSON profile (docs/profiles.md).",
	.options = {
		{"name", "NAME", "buffer name (default cenalloc-alloc)"},
		{"hint", "DEVICE",
		 "a device the buffer is meant for: \"platform:vivid.0\" or "
		 "a bare device name",
		 true},
		{"constraint", "KEY=VALUE",
		 "a constraint of the hint (e.g. max_segments=1)", true},
		{"dynamic", "", "a dynamic dma-buf (CONFIG_DMABUF_MOVE_NOTIFY)"},
		{"populate", "", "allocate now (begin and end CPU access)"},
		kJsonOption,
		kDeviceOption,
	},
	.min_positionals = 1,
	.max_positionals = 1,
};

namespace {

// KEY=VALUE read as the JSON document's constraints are read, so the
// command line and the files accept the same values.
Constraints parse_constraint(const std::string &arg)
{
	const std::size_t eq = arg.find('=');

	if (eq == std::string::npos || eq == 0)
		throw UsageError("alloc: --constraint " + arg +
				 ": expected KEY=VALUE");
	const std::string key = arg.substr(0, eq);
	const std::string value = arg.substr(eq + 1);
	platform::Json object = platform::Json::object();
	if (value == "true" || value == "false")
		object[key] = value == "true";
	else
		object[key] = value;
	try {
		return platform::read_constraints(object, "");
	} catch (const platform::InvalidInput &e) {
		throw UsageError("alloc: --constraint " + arg + ": " +
				 e.problem());
	}
}

void add_constraints(Constraints &into, const Constraints &from)
{
	for (Field f : kAllFields)
		if (const auto v = from.get(f))
			into.set(f, *v);
}

BufferSpec spec_from(const Arguments &args)
{
	BufferSpec spec;
	std::string error;

	const auto size = platform::parse_quantity(args.positionals()[0], &error);
	if (!size || *size == 0)
		throw UsageError("alloc: SIZE " +
				 (size ? std::string("must not be 0") : error));
	spec.size = *size;
	spec.name = args.value("name").value_or("cenalloc-alloc");
	spec.dynamic = args.flag("dynamic");
	bool last_is_hint = false;
	for (const auto &[option, value] : args.ordered()) {
		if (option == "hint") {
			spec.hints.push_back({.device = value});
			last_is_hint = true;
		} else if (option == "constraint") {
			if (!last_is_hint) {
				spec.hints.push_back({});
				last_is_hint = true;
			}
			add_constraints(spec.hints.back().constraints,
					parse_constraint(value));
		}
	}
	return spec;
}

} // namespace

ExitStatus run_alloc(const Arguments &args, std::ostream &out)
{
	const BufferSpec spec = spec_from(args);
	const Allocator alloc = open_allocator(args);

	try {
		const Buffer buffer = alloc.create(spec);
		std::string populate_error;
		if (args.flag("populate")) {
			try {
				const Mapping map = buffer.map(Access::read);
				const CpuAccess cpu = map.access(Access::read);
			} catch (const Error &e) {
				// Still print the buffer: its INFO says why.
				populate_error = e.what();
			}
		}
		const BufferInfo info = buffer.info();
		if (args.flag("json")) {
			platform::Json j = buffer_to_json(info);
			if (!populate_error.empty())
				j["populate_error"] = populate_error;
			print_json(out, j);
		} else {
			print_buffer(out, info);
		}
		if (!populate_error.empty())
			throw Failure(ExitStatus::failed, populate_error);
	} catch (const Error &e) {
		throw failure_from(e);
	}
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
