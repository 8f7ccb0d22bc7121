// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// tool_support.hpp - what every subcommand needs: the device, the
// documents, errors turned into exit statuses, JSON output.
#pragma once

#include <ostream>
#include <string>

#include "cenalloc/allocator.hpp"
#include "cenalloc/error.hpp"
#include "command_line.hpp"
#include "document.hpp"
#include "exit_status.hpp"
#include "json_reader.hpp"

namespace cenalloc::tool {

// The option every command that talks to the kernel takes.
inline constexpr OptionSpec kDeviceOption{
	"device", "PATH", "the cenalloc device (default /dev/cenalloc)"};
inline constexpr OptionSpec kJsonOption{
	"json", "", "print JSON instead of tables, for programs"};

// Open --device (or /dev/cenalloc); Failure "unavailable" when it is not
// there.
Allocator open_allocator(const Arguments &args);

// A library error as the tool reports it: the status its errno calls for
// (EPERM/EACCES: permission), the message as is.
Failure failure_from(const Error &e);

// Read a JSON document; Failure "invalid input" with the file and JSON
// path of the problem.
platform::Document load_document(const std::string &path);

void print_json(std::ostream &out, const platform::Json &json);

} // namespace cenalloc::tool
