// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc backends: what QUERY says about the running cenalloc.
#include <iostream>

#include "commands.hpp"
#include "table.hpp"
#include "text.hpp"
#include "tool_support.hpp"

namespace cenalloc::tool {

const CommandSpec kBackendsSpec{
	.name = "backends",
	.arguments = "",
	.summary = "the memory backends of the running cenalloc, and what it "
		   "can do",
	.description =
		"Asks /dev/cenalloc (QUERY) for its ABI version, its features,\n"
		"its page size and every memory backend: kind, cost rank (lower\n"
		"is tried first), largest contiguous chunk and alignment, the\n"
		"physical addresses it hands out, the lowest address limit it\n"
		"can honour, and its usage counters.",
	.options = {kJsonOption, kDeviceOption},
};

namespace {

platform::Json to_json(const Capabilities &caps)
{
	platform::Json j{{"abi_version", caps.abi_version},
			 {"page_size", caps.page_size},
			 {"features", platform::Json::array()},
			 {"backends", platform::Json::array()}};

	for (std::string_view f : caps.feature_names())
		j["features"].push_back(std::string(f));
	// The fields a platform document's backends take, then the usage.
	for (const Backend &b : caps.backends)
		j["backends"].push_back({
			{"name", b.name},
			{"kind", std::string(to_string(b.kind))},
			{"cost_rank", b.cost_rank},
			{"max_chunk", b.max_chunk},
			{"max_align", b.max_align},
			{"addr_lo", format_address(b.addr_lo)},
			{"addr_hi", format_address(b.addr_hi)},
			{"lowest_limit", format_address(b.lowest_limit)},
			{"free", b.free_bytes},
			{"used", b.used_bytes},
			{"allocations", b.allocations},
			{"failures", b.failures},
		});
	return j;
}

// "0x1000-0x61ffffff"; "0x1000 and up" when nothing bounds it.
std::string address_range(std::uint64_t lo, std::uint64_t hi)
{
	if (hi == kNoLimit)
		return format_address(lo) + " and up";
	return format_address(lo) + "-" + format_address(hi);
}

void print_text(std::ostream &out, const Capabilities &caps)
{
	std::string features;
	Table t({"NAME", "KIND", "RANK", "MAX CHUNK", "MAX ALIGN", "ADDRESSES",
		 "LOWEST LIMIT", "FREE", "USED", "ALLOCATIONS", "FAILURES"});

	for (std::string_view f : caps.feature_names())
		features += (features.empty() ? "" : " ") + std::string(f);
	out << "cenalloc ABI " << caps.abi_version << ", page size "
	    << bytes_text(caps.page_size) << "\nfeatures: "
	    << (features.empty() ? "none" : features) << "\n\n";
	for (const Backend &b : caps.backends)
		t.add({b.name, std::string(to_string(b.kind)),
		       std::to_string(b.cost_rank), bytes_text(b.max_chunk),
		       bytes_text(b.max_align),
		       address_range(b.addr_lo, b.addr_hi),
		       format_address(b.lowest_limit),
		       human_bytes(b.free_bytes), human_bytes(b.used_bytes),
		       std::to_string(b.allocations),
		       std::to_string(b.failures)});
	t.print(out);
}

} // namespace

ExitStatus run_backends(const Arguments &args, std::ostream &out)
{
	const Allocator alloc = open_allocator(args);
	Capabilities caps;

	try {
		caps = alloc.query();
	} catch (const Error &e) {
		throw failure_from(e);
	}
	if (args.flag("json"))
		print_json(out, to_json(caps));
	else
		print_text(out, caps);
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
