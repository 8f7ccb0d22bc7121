// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "tool_support.hpp"

#include <cerrno>

#include "invalid_input.hpp"

namespace cenalloc::tool {

Allocator open_allocator(const Arguments &args)
{
	const std::string path = args.value("device").value_or(
		Allocator::kDefaultPath);

	try {
		return Allocator(path);
	} catch (const Error &e) {
		if (e.errno_value() == ENOENT || e.errno_value() == ENXIO ||
		    e.errno_value() == ENODEV)
			throw Failure(ExitStatus::unavailable, e.what());
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
