// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// explain-buffer: libcenalloc in a program.
//
//   explain-buffer [DEVICE...]      e.g. explain-buffer platform:vivid.0
//
// Creates a 1920x1080 YUYV frame buffer meant for the named devices,
// fills it from the CPU (the first CPU access is what allocates it), and
// prints where its memory came from and why.  Every descriptor and
// mapping is released by the objects that own them; every failure is an
// exception that carries the kernel's reason.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <cenalloc/cenalloc.hpp>

int main(int argc, char **argv)
{
	try {
		cenalloc::BufferSpec spec{.size = 1920 * 1080 * 2, .name = "frame"};
		for (int i = 1; i < argc; i++)
			spec.hints.push_back({.device = argv[i]});

		const cenalloc::Allocator alloc;
		const cenalloc::Buffer frame = alloc.create(spec);
		const cenalloc::Mapping map = frame.map();
		{
			const cenalloc::CpuAccess cpu =
				map.access(cenalloc::Access::write);
			std::ranges::fill(cpu.bytes(), std::byte{0x80});
		}
		const cenalloc::BufferInfo info = frame.info();
		std::cout << "buffer " << info.id << ": " << info.last_reason
			  << "\n";
		for (const cenalloc::Member &m : info.members)
			std::cout << "  " << m.device << " takes at most "
				  << m.constraints.value_text(
					     cenalloc::Field::max_segments)
				  << " segment(s), up to "
				  << m.constraints.value_text(
					     cenalloc::Field::addr_limit)
				  << "\n";
	} catch (const cenalloc::Error &e) {
		std::cerr << "explain-buffer: " << e.what() << "\n";
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
