// SPDX-License-Identifier: GPL-2.0
//
// libcenalloc (userspace/) against the real cenalloc.ko: the RAII types
// do what they say, errors carry the kernel's reasons, nothing leaks.
// Linked statically with libcenalloc.a (userspace.mk).
#include <algorithm>
#include <bit>
#include <optional>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <cenalloc/cenalloc.hpp>

#include "drm.hpp"
#include "importer.hpp"

namespace {

constexpr std::uint64_t kMiB = 1 << 20;

std::size_t open_fds()
{
	std::size_t n = 0;
	DIR *d = ::opendir("/proc/self/fd");
	if (!d)
		return 0;
	while (const dirent *e = ::readdir(d))
		n += e->d_name[0] != '.';
	::closedir(d);
	return n;
}

// Mappings of dma-bufs in this process (/proc/self/maps names them).
std::size_t dmabuf_mappings()
{
	std::ifstream maps("/proc/self/maps");
	std::string line;
	std::size_t n = 0;
	while (std::getline(maps, line))
		n += line.find("dmabuf") != std::string::npos;
	return n;
}

class Lib : public testing::Test {
protected:
	void SetUp() override
	{
		if (::access("/dev/cenalloc", F_OK))
			GTEST_SKIP() << "cenalloc.ko not loaded";
		alloc_.emplace();
	}
	cenalloc::Allocator &alloc() { return *alloc_; }

	std::optional<cenalloc::Allocator> alloc_;
};

TEST_F(Lib, QueryDescribesThisKernel)
{
	const cenalloc::Capabilities caps = alloc().query();

	EXPECT_EQ(caps.abi_version, 1U);
	EXPECT_EQ(caps.page_size, static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE)));
	EXPECT_TRUE(caps.has(cenalloc::Feature::profiles));
	EXPECT_TRUE(caps.has(cenalloc::Feature::hints));
	ASSERT_FALSE(caps.backends.empty());
	std::set<std::string> names;
	for (const cenalloc::Backend &b : caps.backends) {
		EXPECT_TRUE(names.insert(b.name).second) << b.name;
		EXPECT_LE(b.addr_lo, b.addr_hi) << b.name;
		EXPECT_GT(b.max_chunk, 0U) << b.name;
	}
	// The feature names are those of the bits that are set.
	EXPECT_EQ(caps.feature_names().size(),
		  static_cast<std::size_t>(std::popcount(caps.features & 0x3f)));
}

TEST_F(Lib, CpuWritesReachTheDeviceThroughScopedAccess)
{
	cenalloc::Buffer buf = alloc().create({.size = kMiB + 1, .name = "lib-rw"});
	EXPECT_EQ(buf.size(), kMiB + 4096); // whole pages
	EXPECT_FALSE(buf.info().backed);
	EXPECT_EQ(buf.info().id, buf.id());

	const cenalloc::Mapping map = buf.map();
	ASSERT_EQ(map.size(), buf.size());
	{
		const cenalloc::CpuAccess cpu = map.access(cenalloc::Access::write);
		auto bytes = cpu.bytes();
		for (std::size_t i = 0; i < bytes.size(); i++)
			bytes[i] = static_cast<std::byte>(i * 7 + 3);
	}
	const cenalloc::BufferInfo info = buf.info();
	EXPECT_TRUE(info.backed);
	EXPECT_FALSE(info.backend.empty());
	EXPECT_FALSE(info.last_reason.empty());

	// A device reads what the CPU wrote.
	cen::vm::Importer imp;
	cen::vm::Device dev = imp.create_device({.name = "cen-lib-reader",
						 .dma_bits = 64,
						 .declare = CEN_IMP_DECLARE_SCATTER});
	cen::vm::Attachment att = dev.attach(buf.fd());
	cen::vm::Mapping m = att.map();
	EXPECT_TRUE(m.pass()) << m.describe();
	const std::vector<uint8_t> seen = att.dma_read(kMiB - 16, 32);
	for (std::size_t i = 0; i < seen.size(); i++)
		EXPECT_EQ(seen[i], static_cast<uint8_t>((kMiB - 16 + i) * 7 + 3));

	// And the CPU reads it back.
	const cenalloc::CpuAccess cpu = map.access(cenalloc::Access::read);
	EXPECT_EQ(cpu.bytes()[12345], static_cast<std::byte>(12345 * 7 + 3));
}

TEST_F(Lib, AFailedAllocationCarriesTheKernelsReason)
{
	// Contiguous and larger than any contiguous backend can give: a
	// well-formed set (CREATE takes it) that no memory can back.
	std::uint64_t largest = 0;
	for (const cenalloc::Backend &b : alloc().query().backends)
		if (b.kind == cenalloc::BackendKind::contiguous)
			largest = std::max(largest, std::min(b.max_chunk, b.free_bytes));
	const std::uint64_t size = (largest / kMiB + 8) * kMiB;
	cenalloc::Buffer buf = alloc().create(
		{.size = size,
		 .name = "lib-too-big",
		 .hints = {{.constraints = cenalloc::Constraints().contiguous()}}});
	const cenalloc::Mapping map = buf.map(cenalloc::Access::read);
	try {
		const cenalloc::CpuAccess cpu = map.access(cenalloc::Access::read);
		FAIL() << "a contiguous buffer of " << size << " bytes was backed";
	} catch (const cenalloc::Error &e) {
		const cenalloc::BufferInfo info = buf.info();
		EXPECT_EQ(e.errno_value(), ENOMEM) << e.what();
		EXPECT_NE(info.last_error, 0);
		EXPECT_FALSE(info.last_reason.empty());
		EXPECT_EQ(e.reason(), info.last_reason);
		EXPECT_NE(std::string(e.what()).find(info.last_reason),
			  std::string::npos);
	}
}

TEST_F(Lib, CreateRefusalsAreExplained)
{
	try {
		(void)alloc().create({.size = 4096,
				      .name = "lib-nodev",
				      .hints = {{.device = "platform:no-such-device"}}});
		FAIL() << "a hint naming no device was accepted";
	} catch (const cenalloc::Error &e) {
		EXPECT_EQ(e.errno_value(), ENODEV);
		EXPECT_NE(e.reason().find("platform:no-such-device"),
			  std::string::npos)
			<< e.what();
	}
	if (!alloc().query().has(cenalloc::Feature::move_notify)) {
		try {
			(void)alloc().create({.size = 4096, .dynamic = true});
			FAIL() << "a dynamic buffer without MOVE_NOTIFY";
		} catch (const cenalloc::Error &e) {
			EXPECT_EQ(e.errno_value(), EOPNOTSUPP);
			EXPECT_NE(e.reason().find("CONFIG_DMABUF_MOVE_NOTIFY"),
				  std::string::npos);
		}
	}
}

TEST_F(Lib, ReadOnlyBuffersRefuseWritableMappings)
{
	cenalloc::Buffer buf =
		alloc().create({.size = 4096, .name = "lib-ro", .read_only = true});
	EXPECT_NO_THROW((void)buf.map(cenalloc::Access::read));
	try {
		(void)buf.map(cenalloc::Access::read_write);
		FAIL() << "a writable mapping of a read-only fd";
	} catch (const cenalloc::Error &e) {
		EXPECT_EQ(e.errno_value(), EACCES);
		EXPECT_NE(e.reason().find("read-only"), std::string::npos);
	}
	// And an access wider than the mapping is refused before the kernel.
	const cenalloc::Mapping ro = buf.map(cenalloc::Access::read);
	EXPECT_THROW((void)ro.access(cenalloc::Access::write), cenalloc::Error);
}

TEST_F(Lib, AdoptInfoByIdAndTheListOfBuffers)
{
	cenalloc::Buffer a = alloc().create({.size = 8192, .name = "lib-a"});
	cenalloc::Buffer b = alloc().create({.size = 4096, .name = "lib-b"});
	const cenalloc::Buffer again = alloc().adopt(cenalloc::UniqueFd(
		::fcntl(a.fd(), F_DUPFD_CLOEXEC, 0)));
	EXPECT_EQ(again.id(), a.id());
	EXPECT_EQ(again.size(), a.size());
	EXPECT_EQ(again.name(), "lib-a");

	const auto ids = alloc().buffer_ids();
	EXPECT_TRUE(std::ranges::is_sorted(ids));
	for (const cenalloc::Buffer *x : {&a, &b}) {
		EXPECT_NE(std::ranges::find(ids, x->id()), ids.end()) << x->id();
		EXPECT_EQ(alloc().info_by_id(x->id()).name, x->name());
	}
	const std::uint64_t gone = b.id();
	{
		cenalloc::Buffer dropped = std::move(b);
	}
	try {
		(void)alloc().info_by_id(gone);
		FAIL() << "a released buffer still has INFO";
	} catch (const cenalloc::Error &e) {
		EXPECT_EQ(e.errno_value(), ENOENT);
	}

	// A dma-buf of somebody else's is not taken.
	cen::vm::UniqueFd heap = cen::vm::foreign_dmabuf(4096);
	ASSERT_TRUE(heap) << "no system heap and no vgem for a foreign dma-buf";
	try {
		(void)alloc().adopt(cenalloc::UniqueFd(heap.release()));
		FAIL() << "adopted a dma-buf of another exporter";
	} catch (const cenalloc::Error &e) {
		EXPECT_EQ(e.errno_value(), EINVAL);
		EXPECT_EQ(e.reason(), "not a cenalloc dma-buf");
	}
}

TEST_F(Lib, MappingsOutliveTheirBuffer)
{
	std::optional<cenalloc::Mapping> map;
	{
		cenalloc::Buffer buf = alloc().create({.size = 4096, .name = "lib-short"});
		map.emplace(buf.map());
	}
	const cenalloc::CpuAccess cpu = map->access(cenalloc::Access::read_write);
	cpu.bytes()[0] = std::byte{42};
	EXPECT_EQ(cpu.bytes()[0], std::byte{42});
}

TEST_F(Lib, EveryDescriptorAndMappingIsReleased)
{
	const std::size_t fds = open_fds(), maps = dmabuf_mappings();
	{
		cenalloc::Allocator second;
		cenalloc::Buffer buf = second.create({.size = 64 * 1024, .name = "lib-raii"});
		cenalloc::Mapping m1 = buf.map();
		cenalloc::Mapping m2 = buf.map(cenalloc::Access::read);
		{
			cenalloc::CpuAccess cpu = m1.access(cenalloc::Access::write);
			cpu.end();
			cpu.end(); // idempotent
		}
		const cenalloc::Buffer adopted = second.adopt(cenalloc::UniqueFd(
			::fcntl(buf.fd(), F_DUPFD_CLOEXEC, 0)));
		EXPECT_GT(open_fds(), fds);
		EXPECT_EQ(dmabuf_mappings(), maps + 2);
		cenalloc::UniqueFd raw = std::move(buf).release();
		EXPECT_TRUE(raw.valid());
	}
	EXPECT_EQ(open_fds(), fds);
	EXPECT_EQ(dmabuf_mappings(), maps);
}

TEST_F(Lib, ProfilesThroughTheLibrary)
{
	const cenalloc::DeviceMatch match{.device = "cen-lib-nobody",
					  .driver = {},
					  .bus = "platform"};
	alloc().set_profile({.match = match,
			     .constraints = cenalloc::Constraints().contiguous()});
	alloc().clear_profile(match);
	try {
		alloc().clear_profile(match);
		FAIL() << "cleared a profile twice";
	} catch (const cenalloc::Error &e) {
		EXPECT_EQ(e.errno_value(), ENOENT);
		EXPECT_NE(e.reason().find("no profile"), std::string::npos);
	}
}

} // namespace
