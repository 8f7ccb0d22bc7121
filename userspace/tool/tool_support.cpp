// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "tool_support.hpp"

#include <cerrno>
#include <cstring>

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

// --device may name any file: say plainly what it is when it is not a
// device at all (the library refuses a device that is not cenalloc).
void check_is_char_device(const std::string &path)
{
	struct stat st {};

	if (::stat(path.c_str(), &st) != 0 || S_ISCHR(st.st_mode))
		return;
	throw not_cenalloc(path, S_ISDIR(st.st_mode) ? "a directory"
						     : "not a character device");
}

} // namespace

Allocator open_allocator(const Arguments &args)
{
	const std::string path = args.value("device").value_or(
		Allocator::kDefaultPath);

	check_is_char_device(path);
	try {
		return Allocator(path);
	} catch (const Error &e) {
		const int err = e.errno_value();
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			throw Failure(ExitStatus::unavailable, e.what());
		if (err == ENOTTY)
			throw not_cenalloc(path,
					   std::string("it does not answer "
						       "cenalloc's QUERY: ") +
						   std::strerror(err));
		throw failure_from(e);
	}
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
