// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "tool_support.hpp"

#include <cerrno>
#include <cstring>
#include <optional>

#include <sys/stat.h>

#include "invalid_input.hpp"

namespace cenalloc::tool {

namespace {

Failure not_cenalloc(const std::string &path, const std::string &why)
{
	return Failure(ExitStatus::unavailable,
		       path + " is not a cenalloc device: " + why +
			       " (the module's node is " +
			       Allocator::kDefaultPath + ")");
}

// --device may name any file: make sure it is cenalloc before a command
// reads its answers, and say so plainly when it is not.
void check_is_cenalloc(const Allocator &alloc, const std::string &path)
{
	struct stat st {};

	if (::fstat(alloc.fd(), &st) == 0 && !S_ISCHR(st.st_mode))
		throw not_cenalloc(path, "not a character device");
	try {
		(void)alloc.query();
	} catch (const Error &e) {
		if (e.errno_value() == EPERM || e.errno_value() == EACCES)
			throw failure_from(e);
		throw not_cenalloc(path, std::string("it does not answer "
						     "cenalloc's QUERY: ") +
						 std::strerror(e.errno_value()));
	}
}

} // namespace

Allocator open_allocator(const Arguments &args)
{
	const std::string path = args.value("device").value_or(
		Allocator::kDefaultPath);
	std::optional<Allocator> alloc;

	try {
		alloc.emplace(path);
	} catch (const Error &e) {
		if (e.errno_value() == ENOENT || e.errno_value() == ENXIO ||
		    e.errno_value() == ENODEV)
			throw Failure(ExitStatus::unavailable, e.what());
		if (e.errno_value() == EISDIR)
			throw not_cenalloc(path, "a directory");
		throw failure_from(e);
	}
	check_is_cenalloc(*alloc, path);
	return std::move(*alloc);
}

Failure failure_from(const Error &e)
{
	const int err = e.errno_value();

	return Failure(err == EPERM || err == EACCES ? ExitStatus::permission
						     : ExitStatus::failed,
		       e.what());
}

platform::Document load_document(const std::string &path)
{
	try {
		return platform::read_document(path);
	} catch (const platform::InvalidInput &e) {
		throw Failure(ExitStatus::invalid_input, e.what());
	}
}

void print_json(std::ostream &out, const platform::Json &json)
{
	// Names come from the kernel and may be any bytes: replace what is
	// not UTF-8 rather than fail to print.
	out << json.dump(2, ' ', false, platform::Json::error_handler_t::replace)
	    << "\n";
}

} // namespace cenalloc::tool
