// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Which buffers exist.  The ABI has no "list" call: INFO takes one id
// (root only).  debugfs lists them all in one read when it is mounted; a
// system without debugfs is probed instead, id by id, up to the id of a
// buffer created for the purpose (ids only grow, so no live buffer has a
// larger one).  Both need root, as INFO by id does.
#include "buffer_ids.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "cenalloc/allocator.hpp"
#include "capture.hpp"
#include "cenalloc/error.hpp"
#include "info_query.hpp"

namespace cenalloc {

namespace detail {

std::vector<std::uint64_t> parse_debugfs_buffer_ids(std::string_view text)
{
	static constexpr std::string_view kPrefix = "buffer ";
	std::vector<std::uint64_t> ids;

	while (!text.empty()) {
		const std::size_t eol = text.find('\n');
		const std::string_view line = text.substr(0, eol);
		text = eol == std::string_view::npos ? std::string_view{}
						     : text.substr(eol + 1);
		if (!line.starts_with(kPrefix))
			continue;
		const std::string_view rest = line.substr(kPrefix.size());
		std::uint64_t id = 0;
		const auto [end, ec] =
			std::from_chars(rest.data(), rest.data() + rest.size(), id);
		// "buffer 12 'name' ...": the number must end at a space.
		if (ec != std::errc{} || end == rest.data() ||
		    (end != rest.data() + rest.size() && *end != ' '))
			continue;
		ids.push_back(id);
	}
	std::ranges::sort(ids);
	ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
	return ids;
}

} // namespace detail

namespace {

std::vector<std::uint64_t> ids_by_probing(const Allocator &alloc)
{
	std::uint64_t top = 0;
	std::vector<std::uint64_t> ids;
	BufferInfo unused;

	// The kernel checks the privilege before the id: a caller without
	// it learns so here, before a probe buffer is made for nothing.
	if (detail::try_info_by_id(alloc.fd(), 0, &unused) == EPERM)
		throw Error(EPERM, "list cenalloc buffers",
			    "INFO by id needs CAP_SYS_ADMIN (root)");
	{
		// No memory is ever allocated for it: nothing maps it.
		const Buffer probe = alloc.create(
			{.size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)),
			 .name = "cenalloc-id-probe"});
		top = probe.id();
	}
	for (std::uint64_t id = 1; id < top; id++) {
		const int err = detail::try_info_by_id(alloc.fd(), id, &unused);
		if (err == ENOENT)
			continue;
		if (err == EPERM)
			throw Error(err, "list cenalloc buffers",
				    "INFO by id needs CAP_SYS_ADMIN (root)");
		if (err)
			throw Error(err, "list cenalloc buffers: INFO of id " +
						 std::to_string(id));
		ids.push_back(id);
	}
	return ids;
}

std::vector<std::uint64_t> all_buffer_ids(const Allocator &alloc)
{
	std::ifstream debugfs(detail::kDebugfsBuffers);

	if (debugfs) {
		std::ostringstream text;
		text << debugfs.rdbuf();
		if (debugfs.good() || debugfs.eof())
			return detail::parse_debugfs_buffer_ids(text.str());
	}
	return ids_by_probing(alloc);
}

} // namespace

Result<std::vector<std::uint64_t>> Allocator::try_buffer_ids() const noexcept
{
	if (!device_)
		return detail::moved_from("Allocator", "list cenalloc buffers");
	return detail::capture([this] { return all_buffer_ids(*this); });
}

} // namespace cenalloc
