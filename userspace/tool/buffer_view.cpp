// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "buffer_view.hpp"

#include "constraints_json.hpp"
#include "table.hpp"
#include "text.hpp"

namespace cenalloc::tool {

namespace {

std::string state_text(const BufferInfo &info)
{
	if (!info.backed)
		return "not backed (no memory yet)";
	return "backed by " + info.backend + ", " +
	       count_text(info.runs, "contiguous run", "contiguous runs");
}

std::string member_flags(const Member &m)
{
	std::string s = m.from_hint ? "creation hint" : "attached";

	if (m.dynamic)
		s += ", dynamic";
	if (m.mapped)
		s += ", mapped as " +
		     count_text(m.segments, "segment", "segments");
	return s;
}

} // namespace

void print_buffer(std::ostream &out, const BufferInfo &info)
{
	out << "buffer " << info.id << " \"" << info.name << "\"\n";
	out << "  size        " << size_text(info.size) << "\n";
	out << "  state       " << state_text(info) << "\n";
	out << "  decision    " << (info.last_error ? "failed: " : "")
	    << info.last_reason;
	if (info.last_error)
		out << " (error " << info.last_error << ")";
	out << "\n";
	if (info.migrations)
		out << "  migrations  " << info.migrations << ", "
		    << human_bytes(info.migrated_bytes) << " copied; last took "
		    << info.last_migration_time.count() / 1000 << " us: "
		    << info.migration_reason << "\n";
	else
		out << "  migrations  none\n";

	out << "  merged constraints:\n";
	Table merged({"FIELD", "VALUE", "SOURCE", "FROM"});
	for (Field f : kAllFields) {
		const Member *from = info.origin_of(f);
		merged.add({std::string(to_string(f)),
			    field_text(info.merged, f),
			    info.merged.has(f)
				    ? std::string(to_string(info.merged.source(f)))
				    : "-",
			    from ? from->device : "-"});
	}
	merged.print(out, "    ");

	out << "  members (" << info.member_count << "):\n";
	for (const Member &m : info.members) {
		out << "    " << m.device;
		if (!m.driver.empty())
			out << " (driver " << m.driver << ")";
		out << ": " << member_flags(m) << "\n      "
		    << constraint_list(m.constraints) << "\n";
	}
	if (info.members.size() < info.member_count)
		out << "    ... and "
		    << info.member_count - info.members.size() << " more\n";
}

void print_buffer_table(std::ostream &out, const std::vector<BufferInfo> &all)
{
	Table t({"ID", "NAME", "SIZE", "BACKEND", "RUNS", "MEMBERS", "MOVES",
		 "LAST DECISION"});

	for (const BufferInfo &b : all)
		t.add({std::to_string(b.id), b.name, bytes_text(b.size),
		       b.backed ? b.backend : "-",
		       b.backed ? std::to_string(b.runs) : "-",
		       std::to_string(b.member_count),
		       std::to_string(b.migrations),
		       (b.last_error ? "failed: " : "") + b.last_reason});
	t.print(out);
}

platform::Json buffer_to_json(const BufferInfo &info)
{
	platform::Json origins = platform::Json::object();
	platform::Json members = platform::Json::array();

	for (Field f : kAllFields)
		if (const Member *m = info.origin_of(f))
			origins[std::string(key_of(f))] = m->device;
	for (const Member &m : info.members)
		members.push_back({
			{"device", m.device},
			{"driver", m.driver},
			{"hint", m.from_hint},
			{"dynamic", m.dynamic},
			{"mapped", m.mapped},
			{"segments", m.segments},
			{"constraints",
			 platform::constraints_to_json(m.constraints)},
			{"sources", platform::sources_to_json(m.constraints)},
		});
	return {
		{"id", info.id},
		{"name", info.name},
		{"size", info.size},
		{"backed", info.backed},
		{"backend", info.backend},
		{"runs", info.runs},
		{"last_error", info.last_error},
		{"last_reason", info.last_reason},
		{"merged",
		 {{"constraints", platform::constraints_to_json(info.merged)},
		  {"sources", platform::sources_to_json(info.merged)},
		  {"from", origins}}},
		{"member_count", info.member_count},
		{"members", members},
		{"migrations", info.migrations},
		{"migrated_bytes", info.migrated_bytes},
		{"last_migration_ns", info.last_migration_time.count()},
		{"migration_reason", info.migration_reason},
	};
}

} // namespace cenalloc::tool
