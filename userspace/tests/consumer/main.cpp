// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A program outside the cenalloc tree, built against the installed
// libcenalloc (headers, shared library, pkg-config file or CMake package)
// by check-consumer.sh.  It uses the library the way programs do and
// fails (exit 1) when something is not as documented.
#include <cenalloc/cenalloc.hpp>

#include <cerrno>
#include <iostream>

int main()
{
	int failures = 0;
	auto expect = [&failures](bool ok, const char *what) {
		if (!ok) {
			std::cerr << "consumer: " << what << "\n";
			failures++;
		}
	};

	cenalloc::Constraints c;
	c.contiguous().addr_limit(0xffffffff);
	expect(c.requires_contiguous(), "contiguous() does not say so");
	expect(c.value_text(cenalloc::Field::addr_limit) == "0xffffffff",
	       "address limit text");
	// Names come from the library (the kernel's text tables inside it).
	expect(cenalloc::to_string(cenalloc::Source::profile) ==
		       "platform profile",
	       "source name");

	try {
		const cenalloc::Allocator alloc("/nonexistent/cenalloc");
		expect(false, "opened a device that does not exist");
	} catch (const cenalloc::Error &e) {
		expect(e.errno_value() == ENOENT, "errno of a missing device");
		std::cout << "consumer: " << e.what() << "\n";
	}
	return failures ? 1 : 0;
}
