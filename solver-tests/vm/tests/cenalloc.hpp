// SPDX-License-Identifier: GPL-2.0
//
// Thin RAII access to /dev/cenalloc for the in-VM tests.  The tests need
// raw access too (bad arguments), so this stays close to the ABI; the
// user-facing library lives in userspace/.
#pragma once

#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/cenalloc.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "importer.hpp"

namespace cen::vm {

inline constexpr const char *kCenallocPath = "/dev/cenalloc";
inline constexpr const char *kCenallocHeapPath = "/dev/dma_heap/cenalloc";

// The mode the module gives its device nodes, like dma-heap's.
inline constexpr mode_t kNodeDefaultMode = 0600;

// The device nodes open to every user while this lives, as a udev rule
// could make them (docs/security.md); back to the default afterwards.
class NodesOpenToAll {
public:
	NodesOpenToAll() { set(0666); }
	~NodesOpenToAll() { set(kNodeDefaultMode); }
	NodesOpenToAll(const NodesOpenToAll &) = delete;
	NodesOpenToAll &operator=(const NodesOpenToAll &) = delete;

private:
	static void set(mode_t mode)
	{
		for (const char *p : {kCenallocPath, kCenallocHeapPath})
			if (::chmod(p, mode))
				throw Error(errno, std::string("chmod ") + p);
	}
};

template <typename T> T argsz()
{
	T t{};
	t.argsz = sizeof(T);
	return t;
}

struct BufferInfo {
	cenalloc_info info{};
	std::vector<cenalloc_attach_info> members;

	bool backed() const { return info.state == CENALLOC_STATE_BACKED; }
	std::string backend() const { return info.backend; }
	std::string reason() const { return info.reason; }
	const cenalloc_attach_info *member(const std::string &dev) const
	{
		for (const auto &m : members)
			if (dev == m.device)
				return &m;
		return nullptr;
	}
};

struct Backend {
	cenalloc_backend_info b{};
};

class Cenalloc {
public:
	Cenalloc() : fd_(::open(kCenallocPath, O_RDWR | O_CLOEXEC))
	{
		if (!fd_)
			throw Error(errno, kCenallocPath);
	}
	static bool available() { return ::access(kCenallocPath, F_OK) == 0; }
	int fd() const { return fd_.get(); }

	// Raw ioctl: 0 or -errno.
	template <typename T> int ioc(unsigned long req, T *arg) const
	{
		return xioctl(fd_.get(), req, arg);
	}

	cenalloc_query query(std::vector<cenalloc_backend_info> *out = nullptr)
	{
		auto q = argsz<cenalloc_query>();
		std::vector<cenalloc_backend_info> b(8);
		q.backends_ptr = reinterpret_cast<uintptr_t>(b.data());
		q.backends_cap = b.size();
		q.backend_entry_size = sizeof(cenalloc_backend_info);
		check(ioc(CENALLOC_IOC_QUERY, &q), "CENALLOC_IOC_QUERY");
		b.resize(std::min<size_t>(q.nr_backends, b.size()));
		if (out)
			*out = b;
		return q;
	}

	int try_create(uint64_t len, const std::string &name,
		       const std::vector<cenalloc_hint> &hints, UniqueFd *out,
		       uint32_t flags = 0)
	{
		auto c = argsz<cenalloc_create>();
		c.flags = flags;
		c.len = len;
		c.fd_flags = O_RDWR | O_CLOEXEC;
		std::strncpy(c.name, name.c_str(), sizeof(c.name) - 1);
		if (!hints.empty()) {
			c.hints_ptr = reinterpret_cast<uintptr_t>(hints.data());
			c.nr_hints = hints.size();
			c.hint_entry_size = sizeof(cenalloc_hint);
		}
		int r = ioc(CENALLOC_IOC_CREATE, &c);
		if (!r)
			*out = UniqueFd(c.fd);
		return r;
	}
	UniqueFd create(uint64_t len, const std::string &name = "test",
			const std::vector<cenalloc_hint> &hints = {})
	{
		UniqueFd fd;
		check(try_create(len, name, hints, &fd), "CENALLOC_IOC_CREATE");
		return fd;
	}

	BufferInfo info(int buf_fd)
	{
		BufferInfo bi;
		bi.members.resize(CENALLOC_MAX_HINTS * 4);
		bi.info = argsz<cenalloc_info>();
		bi.info.fd = buf_fd;
		bi.info.attach_ptr = reinterpret_cast<uintptr_t>(bi.members.data());
		bi.info.attach_cap = bi.members.size();
		bi.info.attach_entry_size = sizeof(cenalloc_attach_info);
		check(ioc(CENALLOC_IOC_INFO, &bi.info), "CENALLOC_IOC_INFO");
		bi.members.resize(std::min<size_t>(bi.info.nr_attach,
						   bi.members.size()));
		return bi;
	}

private:
	UniqueFd fd_;
};

inline const char *source_name(uint8_t src)
{
	static const char *const names[] = {"none", "default policy", "hint",
					    "struct device", "profile",
					    "driver"};
	return src < std::size(names) ? names[src] : "?";
}

inline cenalloc_hint hint_device(const std::string &dev)
{
	cenalloc_hint h{};
	std::strncpy(h.device, dev.c_str(), sizeof(h.device) - 1);
	return h;
}

// A hint that asks for one contiguous segment, naming no device.
inline cenalloc_hint hint_contiguous()
{
	cenalloc_hint h{};
	h.flags = CENALLOC_HINT_CONSTRAINTS;
	h.c.valid = CENALLOC_C_MAX_SEGMENTS;
	h.c.max_segments = 1;
	return h;
}

// A mapping of a dma-buf fd, unmapped on destruction.
class MMap {
public:
	MMap(int fd, size_t len, int prot = PROT_READ | PROT_WRITE,
	     off_t offset = 0)
		: len_(len),
		  p_(::mmap(nullptr, len, prot, MAP_SHARED, fd, offset))
	{
		if (p_ == MAP_FAILED)
			throw Error(errno, "mmap dma-buf");
	}
	MMap(const MMap &) = delete;
	MMap &operator=(const MMap &) = delete;
	~MMap() { ::munmap(p_, len_); }
	uint8_t *data() const { return static_cast<uint8_t *>(p_); }
	size_t size() const { return len_; }

private:
	size_t len_;
	void *p_;
};

// DMA_BUF_IOCTL_SYNC begin on construction, end on destruction.
class CpuAccess {
public:
	CpuAccess(int fd, uint64_t flags = DMA_BUF_SYNC_RW) : fd_(fd), f_(flags)
	{
		dma_buf_sync s{.flags = DMA_BUF_SYNC_START | f_};
		check(xioctl(fd_, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC");
	}
	CpuAccess(const CpuAccess &) = delete;
	CpuAccess &operator=(const CpuAccess &) = delete;
	~CpuAccess()
	{
		dma_buf_sync s{.flags = DMA_BUF_SYNC_END | f_};
		xioctl(fd_, DMA_BUF_IOCTL_SYNC, &s);
	}

private:
	int fd_;
	uint64_t f_;
};

} // namespace cen::vm
