// SPDX-License-Identifier: GPL-2.0 OR MIT
// libcenalloc: errors, descriptors, and what happens without the module.
#include <gtest/gtest.h>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "buffer_ids.hpp"
#include "create.hpp"
#include "profiles.hpp"
#include "cenalloc/allocator.hpp"
#include "cenalloc/buffer.hpp"
#include "cenalloc/error.hpp"
#include "cenalloc/result.hpp"
#include "cenalloc/unique_fd.hpp"

using namespace cenalloc;

namespace {

bool fd_is_open(int fd)
{
	return ::fcntl(fd, F_GETFD) >= 0;
}

} // namespace

TEST(Error, MessageHasOperationReasonAndErrno)
{
	const Error e(EBUSY, "attach vivid.0", "buffer 3 is mapped by cam0");

	EXPECT_EQ(e.code(), std::errc::device_or_resource_busy);
	EXPECT_EQ(e.errno_value(), EBUSY);
	EXPECT_EQ(e.operation(), "attach vivid.0");
	EXPECT_EQ(e.reason(), "buffer 3 is mapped by cam0");
	EXPECT_EQ(std::string(e.what()),
		  "attach vivid.0: buffer 3 is mapped by cam0 (" +
			  std::generic_category().message(EBUSY) + ")");
	const Error plain(ENOENT, "open /dev/x");
	EXPECT_EQ(std::string(plain.what()),
		  "open /dev/x: " + std::generic_category().message(ENOENT));
}

TEST(UniqueFd, ClosesExactlyOnce)
{
	int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(raw, 0);
	{
		UniqueFd a(raw);
		UniqueFd b(std::move(a));
		EXPECT_FALSE(a.valid());
		EXPECT_EQ(b.get(), raw);
		EXPECT_TRUE(fd_is_open(raw));
		UniqueFd c;
		c = std::move(b);
		EXPECT_TRUE(fd_is_open(raw));
	}
	EXPECT_FALSE(fd_is_open(raw));
}

TEST(UniqueFd, ReleaseAndDuplicate)
{
	UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(a.valid());
	UniqueFd d = a.duplicate();
	EXPECT_NE(d.get(), a.get());
	EXPECT_TRUE(::fcntl(d.get(), F_GETFD) & FD_CLOEXEC);
	const int raw = a.release();
	EXPECT_FALSE(a.valid());
	EXPECT_TRUE(fd_is_open(raw));
	::close(raw);
	EXPECT_THROW((void)UniqueFd().duplicate(), Error);
}

TEST(Allocator, MissingDeviceSaysTheModuleIsNotLoaded)
{
	try {
		Allocator alloc("/nonexistent/cenalloc");
		FAIL() << "opened a device that does not exist";
	} catch (const Error &e) {
		EXPECT_EQ(e.errno_value(), ENOENT);
		const std::string what = e.what();
		EXPECT_NE(what.find("/nonexistent/cenalloc"), std::string::npos)
			<< what;
		EXPECT_NE(what.find("modprobe cenalloc"), std::string::npos)
			<< what;
	}
}

TEST(Allocator, ANodeThatIsNotCenallocIsRefusedAtOpen)
{
	// /dev/null opens but knows no cenalloc ioctl: a --device typo must
	// not fail later in a way that blames cenalloc.
	const Result<Allocator> alloc = Allocator::open("/dev/null");

	ASSERT_FALSE(alloc.ok());
	EXPECT_EQ(alloc.error().errno_value(), ENOTTY);
	EXPECT_EQ(alloc.error().operation(), "open /dev/null");
	EXPECT_NE(alloc.error().message().find("not a cenalloc device"),
		  std::string::npos)
		<< alloc.error().message();
	EXPECT_THROW(Allocator("/dev/null"), Error);
}

TEST(Allocator, AnIoctlRefusedByTheDeviceNamesTheOperation)
{
	// Through the same paths a real refusal takes, on a descriptor that
	// refuses every cenalloc ioctl with ENOTTY.
	const UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
	std::uint64_t id = 0;

	try {
		(void)detail::create_buffer(null.get(),
					    {.size = 4096, .name = "frame"}, &id);
		FAIL() << "CREATE on /dev/null succeeded";
	} catch (const Error &e) {
		EXPECT_EQ(e.errno_value(), ENOTTY);
		EXPECT_NE(std::string(e.what()).find("'frame'"),
			  std::string::npos);
	}
	EXPECT_THROW(detail::set_profile(
			     null.get(),
			     {.match = {.device = "cam"},
			      .constraints = Constraints().contiguous()}),
		     Error);
}

TEST(Allocator, BadArgumentsAreRefusedBeforeTheKernel)
{
	const UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
	auto refused = [&](const BufferSpec &spec, const std::string &why) {
		std::uint64_t id = 0;
		try {
			(void)detail::create_buffer(null.get(), spec, &id);
			ADD_FAILURE() << "accepted: " << why;
		} catch (const Error &e) {
			// EINVAL from the library, not ENOTTY from /dev/null.
			EXPECT_EQ(e.errno_value(), EINVAL) << e.what();
			EXPECT_NE(std::string(e.what()).find(why),
				  std::string::npos)
				<< e.what();
		}
	};

	refused({.size = 0}, "the size is zero");
	refused({.size = 4096, .name = std::string(32, 'n')},
		"buffer name");
	refused({.size = 4096, .hints = std::vector<Hint>(17, {.device = "d"})},
		"17 hints, at most 16");
	refused({.size = 4096, .hints = {{}}},
		"a hint needs a device or constraints");
	refused({.size = 4096,
		 .hints = {{.device = std::string(64, 'd')}}},
		"longer than 63 bytes");
	EXPECT_THROW(detail::set_profile(null.get(), {.match = {.device = "cam"}}),
		     Error);
}

// The bug: a moved-from Buffer dereferenced a null shared_ptr in info().
// Every empty object now fails with EBADF and says why.
TEST(EmptyObjects, FailWithEbadfInsteadOfCrashing)
{
	Buffer first;
	Buffer moved_to(std::move(first));
	Mapping mapping;
	CpuAccess access;

	for (const Buffer *b : {&first, &moved_to}) {
		EXPECT_EQ(b->fd(), -1);
		const Result<BufferInfo> info = b->try_info();
		ASSERT_FALSE(info.ok());
		EXPECT_EQ(info.error().errno_value(), EBADF);
		EXPECT_NE(info.error().reason().find("moved from"),
			  std::string::npos);
		EXPECT_EQ(b->try_map().error().errno_value(), EBADF);
		EXPECT_THROW((void)b->info(), Error);
	}
	EXPECT_TRUE(mapping.bytes().empty());
	EXPECT_EQ(mapping.try_access(Access::read).error().errno_value(),
		  EBADF);
	EXPECT_FALSE(access.active());
	EXPECT_TRUE(access.try_end().ok());
}

TEST(Result, CarriesTheValueOrTheFailure)
{
	Result<int> good(7);
	Result<int> bad(Failure(EBUSY, "attach", "mapped by cam0"));
	const Result<void> done;
	const Result<void> refused(Failure(EPERM, "load profile"));

	ASSERT_TRUE(good.ok());
	EXPECT_EQ(*good, 7);
	EXPECT_EQ(good.error().errno_value(), 0);
	ASSERT_FALSE(bad.ok());
	EXPECT_EQ(bad.error().message(),
		  "attach: mapped by cam0 (" +
			  std::generic_category().message(EBUSY) + ")");
	try {
		(void)bad.value();
		FAIL() << "value() of a failure returned";
	} catch (const Error &e) {
		EXPECT_EQ(e.errno_value(), EBUSY);
		EXPECT_EQ(e.reason(), "mapped by cam0");
	}
	EXPECT_TRUE(done.ok());
	EXPECT_NO_THROW(done.value());
	EXPECT_FALSE(refused.ok());
	EXPECT_THROW(refused.value(), Error);
}

TEST(BufferIds, FromDebugfsText)
{
	const std::string text =
		"buffer 12 'frame' size 4149248 not backed migrations 0\n"
		"  merged: address limit=0xffffffff (struct device, member 0)\n"
		"  attach vivid.0 segments 0: max segments=0x1 (default policy)\n"
		"  last: 0 attached vivid.0\n"
		"buffer 3 'buffer 99' size 4096 backed by system migrations 0\n"
		"buffer 12 'frame' size 4149248 not backed migrations 0\n"
		"buffer x 'not a number'\n"
		"buffer 7\n"
		"buffer 8x 'bad'\n";

	EXPECT_EQ(detail::parse_debugfs_buffer_ids(text),
		  (std::vector<std::uint64_t>{3, 7, 12}));
	EXPECT_TRUE(detail::parse_debugfs_buffer_ids("").empty());
}
