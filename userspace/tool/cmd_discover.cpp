// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc discover: a platform document of the running system, so that a
// user starts from their real board.  sysfs lists the devices; cenalloc.ko
// says what it makes of each (its own resolution, as it would at attach)
// and which backends it has.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <span>

#include <sys/utsname.h>
#include <unistd.h>

#include "commands.hpp"
#include "discovery.hpp"
#include "text.hpp"
#include "tool_support.hpp"

#ifndef CENALLOC_VERSION
#define CENALLOC_VERSION "unknown"
#endif

namespace cenalloc::tool {

const CommandSpec kDiscoverSpec{
	.name = "discover",
	.arguments = "",
	.summary = "write a platform JSON of this system, to start from",
	.description =
		"Lists the platform and PCI devices in sysfs that have a driver\n"
		"bound (--unbound: all of them) with their driver and IOMMU group,\n"
		"and asks cenalloc how it sees each: it creates one-page buffers\n"
		"whose creation hints name the devices (16 at a time) and reads\n"
		"each member's constraints from INFO, with their sources.  The\n"
		"struct device's values, the driver's declaration and loaded\n"
		"profiles go where a platform document keeps them, so that\n"
		"`cenalloc solve` resolves every device as the kernel does.  The\n"
		"kernel's backends (QUERY) follow, and one example buffer per\n"
		"device (a 1920x1080 XRGB8888 frame): replace them with yours.\n"
		"\n"
		"Prints the document (docs/profiles.md) on stdout, or writes it\n"
		"to FILE with -o.  Needs no privilege beyond opening the device.\n"
		"When cenalloc cannot be opened (module not loaded, no permission)\n"
		"discover says so on stderr and still writes what sysfs alone\n"
		"tells: PCI DMA masks and IOMMU groups, but no backends, which\n"
		"solve then needs from elsewhere (--kernel-backends on a machine\n"
		"with the module, or a \"backends\" section).",
	.options = {
		{"output", "FILE", "write the document to FILE, not stdout",
		 false, "o"},
		{"unbound", "", "also list devices with no driver bound"},
		{"sysfs", "DIR", "read sysfs from DIR (default /sys)"},
		kDeviceOption,
	},
};

namespace {

void warn(const std::string &text)
{
	std::cerr << "cenalloc: discover: " << text << "\n";
}

// One buffer whose hints name @batch; INFO's hint members, in hint order,
// are the kernel's resolution of each.  False when CREATE refuses (a
// device gone meanwhile, say), with the reason in @error.
bool probe_batch(const Allocator &alloc, std::span<DiscoveredDevice> batch,
		 std::uint32_t page_size, std::string &error)
{
	BufferSpec spec{.size = page_size, .name = "cenalloc-discover"};

	for (const DiscoveredDevice &d : batch)
		spec.hints.push_back({.device = d.sysfs.hint()});
	try {
		const Buffer buf = alloc.create(spec);
		const BufferInfo info = buf.info();
		std::size_t k = 0;
		for (const Member &m : info.members)
			if (m.from_hint && k < batch.size() &&
			    m.device == spec.hints[k].device)
				batch[k++].kernel = m;
	} catch (const Error &e) {
		error = e.what();
		return false;
	}
	return true;
}

// Batches of kMaxHints; a refused batch is asked again device by device,
// so that one device the kernel cannot resolve costs only its own data.
void probe_kernel(const Allocator &alloc, std::vector<DiscoveredDevice> &devs,
		  std::uint32_t page_size)
{
	std::string error;

	for (std::size_t i = 0; i < devs.size(); i += kMaxHints) {
		const std::span<DiscoveredDevice> batch(
			devs.begin() + static_cast<std::ptrdiff_t>(i),
			std::min(kMaxHints, devs.size() - i));
		if (probe_batch(alloc, batch, page_size, error))
			continue;
		for (std::size_t k = 0; k < batch.size(); k++)
			if (!probe_batch(alloc, batch.subspan(k, 1), page_size,
					 error))
				warn(batch[k].sysfs.hint() +
				     ": cenalloc cannot resolve it, sysfs " +
				     "only: " + error);
	}
}

std::string describe_system(const Discovery &d, bool with_kernel)
{
	utsname u{};
	std::string host = "this system";

	if (::uname(&u) == 0)
		host = std::string(u.nodename) + " (" + u.sysname + " " +
		       u.release + ", " + u.machine + ")";
	return host + ", written by cenalloc discover " CENALLOC_VERSION ": " +
	       count_text(d.devices.size(), "device", "devices") +
	       (with_kernel ? " as cenalloc.ko resolves them, and its "
			      "backends"
			    : " as sysfs describes them (cenalloc was not "
			      "available: no backends)");
}

// The kernel's part, or a warning and nothing when it cannot be asked.
bool ask_kernel(const Arguments &args, Discovery &d)
{
	try {
		const Allocator alloc = open_allocator(args);
		const Capabilities caps = alloc.query();
		d.page_size = caps.page_size;
		d.backends = caps.backends;
		probe_kernel(alloc, d.devices, caps.page_size);
		return true;
	} catch (const Failure &f) {
		if (f.status() != ExitStatus::unavailable &&
		    f.status() != ExitStatus::permission)
			throw;
		warn(std::string(f.what()) +
		     "; writing what sysfs says, without backends");
	} catch (const Error &e) {
		throw failure_from(e);
	}
	return false;
}

void write_output(const Arguments &args, const platform::Json &doc,
		  std::ostream &out)
{
	const auto file = args.value("output");

	if (!file || *file == "-") {
		print_json(out, doc);
		return;
	}
	std::ofstream f(*file);
	print_json(f, doc);
	f.close();
	if (!f)
		throw Failure(ExitStatus::failed, "cannot write " + *file +
							  ": " +
							  std::strerror(errno));
	out << "wrote " << *file << ": "
	    << count_text(doc["devices"].size(), "device", "devices") << ", "
	    << count_text(doc.value("backends", platform::Json::array()).size(),
			  "backend", "backends")
	    << " (check it: cenalloc solve " << *file << ")\n";
}

} // namespace

ExitStatus run_discover(const Arguments &args, std::ostream &out)
{
	const std::filesystem::path sysfs = args.value("sysfs").value_or("/sys");
	SysfsScan scan = scan_sysfs(sysfs, args.flag("unbound"));
	Discovery d;

	for (const std::string &note : scan.notes)
		warn(note);
	for (SysfsDevice &s : scan.devices)
		d.devices.push_back({.sysfs = std::move(s)});
	d.page_size = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
	const bool with_kernel = ask_kernel(args, d);
	if (with_kernel)
		d.relax_default = read_relax_default(sysfs);
	d.description = describe_system(d, with_kernel);
	write_output(args, platform_json(d), out);
	return ExitStatus::ok;
}

} // namespace cenalloc::tool
