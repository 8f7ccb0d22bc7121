// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A C++17 program built with -fno-exceptions against the installed
// libcenalloc, as libcamera and Android native code are built: it uses
// only the try_ calls and Result.  Without arguments it checks what needs
// no kernel; with --kernel it creates, maps, writes and reads back a
// buffer and explains it, and checks that moving a Mapping (into a
// growing vector) leaves its CpuAccess working.  Exit 0 when everything
// was as documented.
#include <cenalloc/cenalloc.hpp>

#if defined(__cpp_exceptions)
#error "build this program with -fno-exceptions"
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char *what)
{
	if (!ok) {
		std::fprintf(stderr, "noexcept-consumer: FAILED: %s\n", what);
		failures++;
	}
}

void check_without_kernel()
{
	cenalloc::Result<cenalloc::Allocator> missing =
		cenalloc::Allocator::open("/nonexistent/cenalloc");

	expect(!missing.ok() && missing.error().errno_value() == ENOENT,
	       "a missing node fails with ENOENT");
	std::printf("noexcept-consumer: %s\n",
		    missing.error().message().c_str());
	cenalloc::Buffer empty;
	expect(empty.try_info().error().errno_value() == EBADF,
	       "an empty Buffer fails with EBADF");
}

void explain(const cenalloc::BufferInfo &info)
{
	std::printf("noexcept-consumer: buffer %llu '%s' in %s: %s\n",
		    static_cast<unsigned long long>(info.id), info.name.c_str(),
		    info.backend.c_str(), info.last_reason.c_str());
	for (cenalloc::Field f : cenalloc::kAllFields)
		std::printf("noexcept-consumer:   %s = %s (%s)\n",
			    std::string(cenalloc::to_string(f)).c_str(),
			    info.merged.value_text(f).c_str(),
			    std::string(cenalloc::to_string(
						info.merged.source(f)))
				    .c_str());
}

// The bug this guards: CpuAccess kept a reference to its Mapping, so a
// moved Mapping left it writing through an empty span and ending the
// access on fd -1.
bool access_survives_moves(cenalloc::Mapping mapping)
{
	cenalloc::Result<cenalloc::CpuAccess> cpu =
		mapping.try_access(cenalloc::Access::write);
	if (!cpu)
		return false;
	std::vector<cenalloc::Mapping> many;
	many.push_back(std::move(mapping));
	for (int i = 0; i < 8; i++)
		many.emplace_back(); // reallocates: every element moves
	if (cpu->bytes().size() != many[0].size())
		return false;
	std::memset(cpu->bytes().data(), 0x5a, cpu->bytes().size());
	many.clear(); // the access keeps the region mapped
	cpu->bytes()[0] = std::byte{0x5a};
	return cpu->try_end().ok();
}

void check_with_kernel()
{
	cenalloc::Result<cenalloc::Allocator> alloc = cenalloc::Allocator::open();
	if (!alloc) {
		expect(false, alloc.error().message().c_str());
		return;
	}
	cenalloc::BufferSpec spec;
	spec.size = 1 << 20;
	spec.name = "noexcept-consumer";
	cenalloc::Result<cenalloc::Buffer> buf = alloc->try_create(spec);
	expect(buf.ok(), "create a 1 MiB buffer");
	if (!buf)
		return;
	cenalloc::Result<cenalloc::Mapping> map = buf->try_map();
	expect(map.ok(), "map it");
	if (!map)
		return;
	expect(access_survives_moves(std::move(*map)),
	       "CPU access survives moving its Mapping");
	cenalloc::Result<cenalloc::BufferInfo> info = buf->try_info();
	expect(info.ok() && !info->backend.empty(), "backed after the access");
	if (info)
		explain(*info);
	cenalloc::Allocator moved(std::move(*alloc));
	expect(alloc->try_create(spec).error().errno_value() == EBADF,
	       "a moved-from Allocator fails with EBADF");
	expect(moved.try_query().ok(), "the moved-to Allocator works");
}

} // namespace

int main(int argc, char **argv)
{
	check_without_kernel();
	if (argc > 1 && std::strcmp(argv[1], "--kernel") == 0)
		check_with_kernel();
	std::printf("noexcept-consumer: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
