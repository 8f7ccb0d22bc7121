// SPDX-License-Identifier: GPL-2.0
//
// What a local user may not do with cenalloc, and that ordinary use still
// works under the same rules:
//   - the device nodes are root's by default, like dma-heap's;
//   - a private mapping is refused (it used to panic the kernel);
//   - no size above the machine's memory or size_limit_mb;
//   - scarce memory is bounded per user by RLIMIT_MEMLOCK, scattered
//     memory is not;
//   - what INFO tells any holder of the fd names buffer offsets, never a
//     physical address;
//   - names reach the kernel log escaped.
// Also the correctness rules the review asked for: every live mapping of
// an attachment keeps the buffer where it is, fields without their valid
// bit are zero, the name is the dma-buf's (fdinfo, DMA_BUF_SET_NAME).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <grp.h>
#include <gtest/gtest.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cenalloc.hpp"
#include "module_test.hpp"
#include "sysfs.hpp"

using namespace cen::vm;

namespace {

constexpr uid_t kNobody = 65534;
constexpr const char *kSizeLimit = "/sys/module/cenalloc/parameters/size_limit_mb";

class Security : public ModuleTest {};

uint64_t total_ram()
{
	struct sysinfo si {};
	::sysinfo(&si);
	return static_cast<uint64_t>(si.totalram) * si.mem_unit;
}

// 0, or -errno of the first CPU access, which allocates.
int back_by_cpu_access(int fd)
{
	dma_buf_sync s{.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
	int r = xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	if (r)
		return r;
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

// Run @body in a child; its exit status (0 = every check held) or -1.
int in_child(const std::function<int()> &body)
{
	const pid_t pid = ::fork();
	if (pid == 0)
		::_exit(body());
	int status = 0;
	if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

// Become an ordinary user with @memlock bytes of RLIMIT_MEMLOCK.
bool drop_to_nobody(rlim_t memlock)
{
	const rlimit lim{memlock, memlock};
	return !::setrlimit(RLIMIT_MEMLOCK, &lim) && !::setgroups(0, nullptr) &&
	       !::setgid(kNobody) && !::setuid(kNobody);
}

// debugfs's line for @uid in the users file, "" when it has none.
std::string users_line(uid_t uid)
{
	std::istringstream in(slurp("/sys/kernel/debug/cenalloc/users"));
	const std::string key = "uid " + std::to_string(uid) + " ";
	for (std::string line; std::getline(in, line);)
		if (line.rfind(key, 0) == 0)
			return line;
	return {};
}

// The physical runs debugfs shows for buffer @id, as hex digits.
std::set<std::string> physical_runs(uint64_t id)
{
	std::istringstream in(slurp("/sys/kernel/debug/cenalloc/buffers"));
	const std::string head = "buffer " + std::to_string(id) + " ";
	std::set<std::string> runs;
	bool ours = false;
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("buffer ", 0) == 0)
			ours = line.rfind(head, 0) == 0;
		if (!ours || line.rfind("  runs:", 0) != 0)
			continue;
		const std::regex addr("0x([0-9a-f]+)\\+");
		for (std::sregex_iterator it(line.begin(), line.end(), addr), end;
		     it != end; ++it)
			runs.insert((*it)[1]);
	}
	return runs;
}

// Does @text show any of @runs (as hex, leading zeroes dropped)?
bool shows_any(const std::string &text, const std::set<std::string> &runs)
{
	std::string lower = text;
	for (char &ch : lower)
		ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
	for (std::string r : runs) {
		r.erase(0, r.find_first_not_of('0'));
		if (!r.empty() && lower.find(r) != std::string::npos)
			return true;
	}
	return false;
}

TEST_F(Security, DeviceNodesAreRootsByDefault)
{
	for (const char *path : {kCenallocPath, kCenallocHeapPath}) {
		struct stat st {};
		ASSERT_EQ(::stat(path, &st), 0) << path;
		EXPECT_EQ(st.st_mode & 07777, kNodeDefaultMode) << path;
		EXPECT_EQ(st.st_uid, 0U) << path;
	}
	// Nobody else gets in until the system says so.
	EXPECT_EQ(in_child([] {
			  if (!drop_to_nobody(0))
				  return 10;
			  return ::open(kCenallocPath, O_RDWR) < 0 &&
					 errno == EACCES ? 0 : 11;
		  }),
		  0);
}

TEST_F(Security, PrivateMappingsAreRefusedSharedOnesWork)
{
	UniqueFd buf = cen_->create(64 * kKiB, "private");
	for (int prot : {PROT_READ, PROT_READ | PROT_WRITE}) {
		void *p = ::mmap(nullptr, 64 * kKiB, prot, MAP_PRIVATE,
				 buf.get(), 0);
		EXPECT_EQ(p, MAP_FAILED) << "prot " << prot;
		EXPECT_EQ(errno, EINVAL);
		if (p != MAP_FAILED)
			::munmap(p, 64 * kKiB);
	}
	MMap shared(buf.get(), 64 * kKiB);
	shared.data()[100] = 7;

	// A read-only fd maps shared and read-only (VM_MAYSHARE alone).
	auto c = argsz<cenalloc_create>();
	c.len = 64 * kKiB;
	c.fd_flags = O_RDONLY | O_CLOEXEC;
	ASSERT_EQ(cen_->ioc(CENALLOC_IOC_CREATE, &c), 0);
	UniqueFd ro(c.fd);
	MMap view(ro.get(), 64 * kKiB, PROT_READ);
	EXPECT_EQ(view.data()[100], 0) << "fresh memory reads as zero";
	EXPECT_EQ(::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, ro.get(), 0),
		  MAP_FAILED);
}

TEST_F(Security, SizesAboveMemoryOrTheLimitAreRefused)
{
	const uint64_t ram = total_ram();
	UniqueFd fd;
	EXPECT_EQ(cen_->try_create(ram + 64 * kMiB, "too-big", {}, &fd), -E2BIG);
	EXPECT_EQ(cen_->try_create(~0ULL - 4095, "eib", {}, &fd), -E2BIG);
	UniqueFd heap(::open(kCenallocHeapPath, O_RDONLY | O_CLOEXEC));
	dma_heap_allocation_data d{};
	d.len = 1ULL << 60;
	d.fd_flags = O_RDWR;
	EXPECT_EQ(xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &d), -E2BIG);

	write_file(kSizeLimit, "16");
	EXPECT_EQ(cen_->try_create(16 * kMiB + 1, "over", {}, &fd), -E2BIG);
	EXPECT_EQ(cen_->try_create(16 * kMiB, "at", {}, &fd), 0);
	write_file(kSizeLimit, "0");
	EXPECT_EQ(cen_->try_create(64 * kMiB, "after", {}, &fd), 0);
}

// An ordinary user gets contiguous memory up to RLIMIT_MEMLOCK, then a
// refusal that says why; scattered memory is not scarce and not bounded
// here (the memory cgroup bounds it).  Everything is given back.
TEST_F(Security, ScarceMemoryIsBoundedPerUser)
{
	const NodesOpenToAll open_nodes;
	int ready[2], go[2];
	ASSERT_EQ(::pipe(ready), 0);
	ASSERT_EQ(::pipe(go), 0);
	const pid_t pid = ::fork();
	if (pid == 0) {
		char b = 0;
		::close(ready[0]);
		::close(go[1]);
		if (!drop_to_nobody(8 * kMiB))
			::_exit(10);
		Cenalloc cen;
		UniqueFd a, bb, c, big;
		if (cen.try_create(4 * kMiB, "c1", {hint_contiguous()}, &a) ||
		    cen.try_create(4 * kMiB, "c2", {hint_contiguous()}, &bb) ||
		    cen.try_create(4 * kMiB, "c3", {hint_contiguous()}, &c) ||
		    cen.try_create(64 * kMiB, "scattered", {}, &big))
			::_exit(11);
		if (back_by_cpu_access(a.get()) || back_by_cpu_access(bb.get()))
			::_exit(12);
		if (back_by_cpu_access(c.get()) != -EDQUOT)
			::_exit(13);
		if (cen.info(c.get()).reason().find("RLIMIT_MEMLOCK") ==
		    std::string::npos)
			::_exit(14);
		if (back_by_cpu_access(big.get()) ||
		    cen.info(big.get()).backend() != "system")
			::_exit(15);
		if (::write(ready[1], &b, 1) != 1)
			::_exit(16);
		(void)!::read(go[0], &b, 1);
		::_exit(0);
	}
	ASSERT_GT(pid, 0);
	// Only the child writes @ready: a child that dies ends the read.
	::close(ready[1]);
	::close(go[0]);
	char b = 0;
	EXPECT_EQ(::read(ready[0], &b, 1), 1) << "the child failed early";
	// Three buffers asked for scarce memory (the third was refused); the
	// scattered one never looked the record up.
	EXPECT_NE(users_line(kNobody).find("scarce_bytes 8388608 buffers 3"),
		  std::string::npos)
		<< users_line(kNobody);
	::close(go[1]);		/* the child's read returns either way */
	int status = 0;
	ASSERT_EQ(::waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0) << "see the _exit codes above";
	EXPECT_EQ(users_line(kNobody), "") << "the record goes with the buffers";
	::close(ready[0]);
}

TEST_F(Security, RootIsNotBoundByMemlock)
{
	EXPECT_EQ(in_child([] {
			  const rlimit none{0, 0};
			  if (::setrlimit(RLIMIT_MEMLOCK, &none))
				  return 10;
			  Cenalloc cen;
			  UniqueFd fd;
			  if (cen.try_create(4 * kMiB, "root", {hint_contiguous()},
					     &fd))
				  return 11;
			  return back_by_cpu_access(fd.get()) ? 12 : 0;
		  }),
		  0)
		<< "CAP_IPC_LOCK lifts the bound";
}

TEST_F(Security, ReasonsNameOffsetsNotPhysicalAddresses)
{
	Device gpu = imp_->create_device(iommu("cen-sec-gpu"));
	Device cam = imp_->create_device(plain("cen-sec-cam"));
	UniqueFd buf = cen_->create(8 * kMiB, "addresses");
	Attachment ag = gpu.attach(buf.get());
	auto mg = std::make_unique<Mapping>(ag.map());
	const BufferInfo backed = cen_->info(buf.get());
	const std::set<std::string> runs = physical_runs(backed.info.id);
	ASSERT_FALSE(runs.empty()) << "debugfs shows the runs to root";

	// Above 4 GiB and mapped: the camera is refused, and told why.
	Attachment ac;
	ASSERT_EQ(cam.try_attach(buf.get(), &ac), -EBUSY);
	const BufferInfo refused = cen_->info(buf.get());
	EXPECT_NE(refused.reason().find("buffer offset"), std::string::npos)
		<< refused.reason();
	EXPECT_FALSE(shows_any(refused.reason(), runs)) << refused.reason();
	EXPECT_FALSE(shows_any(refused.info.last_reason, runs));

	// Unmapped, it moves; the migration's reason is as discreet.
	EXPECT_EQ(mg->unmap(), 0);
	mg.reset();
	ASSERT_EQ(cam.try_attach(buf.get(), &ac), 0);
	const BufferInfo moved = cen_->info(buf.get());
	EXPECT_EQ(moved.info.migrations, 1U);
	EXPECT_FALSE(shows_any(moved.info.migration_reason, runs))
		<< moved.info.migration_reason;
	EXPECT_FALSE(shows_any(moved.reason(), physical_runs(moved.info.id)))
		<< moved.reason();
}

TEST_F(Security, NamesReachTheKernelLogEscaped)
{
	UniqueFd fd;
	// Refused for its size, which logs the name.
	ASSERT_EQ(cen_->try_create(total_ram() * 2, "cen\nforged-line", {}, &fd),
		  -E2BIG);
	std::string log(1 << 20, '\0');
	const int n = ::klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log.data(),
				static_cast<int>(log.size()));
	ASSERT_GT(n, 0);
	log.resize(n);
	size_t seen = 0;
	for (size_t at = log.find("forged-line"); at != std::string::npos;
	     at = log.find("forged-line", at + 1), seen++)
		EXPECT_EQ(log.substr(at - 2, 2), "\\n")
			<< "unescaped: " << log.substr(at > 40 ? at - 40 : 0, 60);
	EXPECT_GT(seen, 0U) << "the refusal was not logged";
}

TEST_F(Security, EveryLiveMappingOfAnAttachmentPinsTheBuffer)
{
	Device gpu = imp_->create_device(iommu("cen-twice-gpu"));
	Device cam = imp_->create_device(plain("cen-twice-cam"));
	UniqueFd buf = cen_->create(4 * kMiB, "twice");
	Attachment ag = gpu.attach(buf.get());
	auto m1 = std::make_unique<Mapping>(ag.map());
	auto m2 = std::make_unique<Mapping>(ag.map(CEN_IMP_MAP_AGAIN));
	// The importer drops the newer mapping first (its UNMAP's rule).
	EXPECT_EQ(m2->unmap(), 0);
	m2.reset();

	// The first mapping is live: the memory must not move under it.
	Attachment ac;
	EXPECT_EQ(cam.try_attach(buf.get(), &ac), -EBUSY)
		<< cen_->info(buf.get()).reason();
	EXPECT_TRUE(m1->recheck().pass());
	EXPECT_EQ(cen_->info(buf.get()).member("cen-twice-gpu")->flags &
			  CENALLOC_ATT_MAPPED,
		  CENALLOC_ATT_MAPPED);
	EXPECT_EQ(m1->unmap(), 0);
	m1.reset();
	EXPECT_EQ(cam.try_attach(buf.get(), &ac), 0);
	EXPECT_EQ(cen_->info(buf.get()).info.migrations, 1U);
}

TEST_F(Security, FieldsWithoutTheirValidBitAreZero)
{
	Device gpu = imp_->create_device(iommu("cen-zero-gpu"));
	UniqueFd buf = cen_->create(64 * kKiB, "zeroes");
	Attachment ag = gpu.attach(buf.get());
	const BufferInfo bi = cen_->info(buf.get());
	auto check_zero = [](const cenalloc_constraints &c, const char *what) {
		// In CENALLOC_C_* bit order.
		const uint64_t values[] = {c.addr_limit, c.max_segments,
					   c.max_seg_size, c.seg_boundary_mask,
					   c.align, c.iommu, c.coherency};
		for (unsigned b = 0; b < CENALLOC_C_NR_FIELDS; b++) {
			if (c.valid & (1U << b))
				continue;
			EXPECT_EQ(values[b], 0U) << what << " field " << b;
			EXPECT_EQ(c.src[b], CENALLOC_SRC_NONE) << what << b;
		}
	};
	check_zero(bi.info.merged, "merged");
	ASSERT_EQ(bi.members.size(), 1U);
	check_zero(bi.members[0].c, "member");
	EXPECT_NE(bi.info.merged.valid, CENALLOC_C_ALL)
		<< "a GPU leaves some fields free";
}

TEST_F(Security, TheNameIsTheDmaBufsName)
{
	UniqueFd buf = cen_->create(4096, "frame-7");
	const std::string fdinfo = "/proc/self/fdinfo/" + std::to_string(buf.get());
	EXPECT_NE(slurp(fdinfo).find("name:\tframe-7"), std::string::npos)
		<< slurp(fdinfo);
	EXPECT_EQ(std::string(cen_->info(buf.get()).info.name), "frame-7");
	char renamed[] = "renamed";
	ASSERT_EQ(::ioctl(buf.get(), DMA_BUF_SET_NAME_B, renamed), 0);
	EXPECT_EQ(std::string(cen_->info(buf.get()).info.name), "renamed");
	EXPECT_NE(slurp(fdinfo).find("name:\trenamed"), std::string::npos);
}

} // namespace
