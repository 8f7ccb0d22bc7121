// SPDX-License-Identifier: GPL-2.0
//
// importer.hpp - RAII wrappers for /dev/cen_importer (cen_importer.ko), for
// the in-VM integration tests.
//
//   cen::vm::Importer imp;                         // opens /dev/cen_importer
//   auto dev = imp.create_device(cen::vm::DeviceSpec{
//       .name = "cam0", .dma_bits = 32,
//       .declare = CEN_IMP_DECLARE_CONTIG});
//   cen::vm::UniqueFd buf = cen::vm::system_heap_alloc(1 << 20);
//   auto att = dev.attach(buf.get());              // attach, no map
//   auto map = att.map();                          // map + independent check
//   EXPECT_TRUE(map.pass()) << map.describe();
//   // ~map unmaps, ~att detaches, ~dev destroys the device.
//
// Two flavours of every call: the plain one throws cen::vm::Error (a
// std::system_error carrying the errno and the ioctl name); try_*() returns
// 0 or -errno for tests that expect a failure (e.g. -EBUSY on a late attach).
//
// Objects hold a pointer to their Importer: the Importer must outlive them
// (declare it first).  Closing the Importer releases everything in the
// kernel anyway.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "cen_importer_uapi.h"

namespace cen::vm {

inline constexpr const char *kImporterPath = "/dev/cen_importer";
inline constexpr const char *kSystemHeapPath = "/dev/dma_heap/system";

class Error : public std::system_error {
public:
	Error(int err, const std::string &what)
		: std::system_error(err, std::generic_category(), what) {}
};

// An owned file descriptor.
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = std::exchange(o.fd_, -1);
		}
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }

	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }
	int release() { return std::exchange(fd_, -1); }
	void reset(int fd = -1)
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = fd;
	}

private:
	int fd_ = -1;
};

// ioctl that retries on EINTR; 0 or -errno.
inline int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ::ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

inline void check(int ret, const char *what)
{
	if (ret < 0)
		throw Error(-ret, what);
}

// A dma-buf of @len bytes from the dma-heap at @path (0 or -errno in *err
// if given; without @err a failure throws).
inline UniqueFd heap_alloc(const char *path, uint64_t len, int *err = nullptr)
{
	UniqueFd heap(::open(path, O_RDONLY | O_CLOEXEC));
	if (!heap) {
		if (err) {
			*err = -errno;
			return {};
		}
		throw Error(errno, path);
	}
	dma_heap_allocation_data a{};
	a.len = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	int r = xioctl(heap.get(), DMA_HEAP_IOCTL_ALLOC, &a);
	if (err)
		*err = r;
	else
		check(r, "DMA_HEAP_IOCTL_ALLOC");
	return r ? UniqueFd() : UniqueFd(static_cast<int>(a.fd));
}

// A dma-buf from the stock system heap.
inline UniqueFd system_heap_alloc(uint64_t len, int *err = nullptr)
{
	return heap_alloc(kSystemHeapPath, len, err);
}

inline const char *rule_name(uint32_t rule)
{
	static const char *const names[CEN_IMP_RULE_COUNT] = {
		"none",       "empty",        "wrap",
		"addr_limit", "max_seg_size", "seg_boundary",
		"align",      "max_segments", "contig",
		"total",      "bounced",
	};
	return rule < CEN_IMP_RULE_COUNT ? names[rule] : "unknown";
}

inline std::string hex(uint64_t v)
{
	std::ostringstream s;
	s << "0x" << std::hex << v;
	return s.str();
}

// The outcome of MAP / CHECK.
struct MapReport {
	cen_imp_map r{};

	bool pass() const { return r.verdict == CEN_IMP_PASS; }
	uint32_t rule() const { return r.rule; }
	uint32_t segments() const { return r.nr_segments; }
	uint32_t runs() const { return r.nr_runs; }
	bool contiguous() const { return r.nr_runs == 1; }
	std::span<const cen_imp_seg> first_segments() const
	{
		return {r.segs, std::min<size_t>(r.nr_segments,
						 CEN_IMP_MAX_REPORT)};
	}
	// One line for test failure messages.
	std::string describe() const
	{
		std::ostringstream s;
		s << (pass() ? "PASS" : "FAIL");
		if (!pass())
			s << " rule=" << rule_name(r.rule) << " seg=" << r.bad_index
			  << " value=" << hex(r.bad_value)
			  << " limit=" << hex(r.bad_limit)
			  << " violations=" << r.nr_violations;
		s << " segments=" << r.nr_segments << " runs=" << r.nr_runs
		  << " size=" << hex(r.size) << " total=" << hex(r.total)
		  << " contig=" << hex(r.contig_size)
		  << " lowest=" << hex(r.lowest)
		  << " highest=" << hex(r.highest)
		  << " longest=" << hex(r.longest)
		  << " bounced=" << r.nr_bounced << " moves=" << r.moves;
		return s.str();
	}
};

class Importer;

// Base for objects named by a handle of an Importer.
class Handle {
public:
	Handle() = default;
	Handle(Importer *imp, uint32_t h) : imp_(imp), h_(h) {}
	Handle(Handle &&o) noexcept
		: imp_(std::exchange(o.imp_, nullptr)),
		  h_(std::exchange(o.h_, 0)) {}
	Handle(const Handle &) = delete;
	Handle &operator=(const Handle &) = delete;

	uint32_t handle() const { return h_; }
	explicit operator bool() const { return imp_ != nullptr; }

protected:
	Handle &move_from(Handle &o)
	{
		imp_ = std::exchange(o.imp_, nullptr);
		h_ = std::exchange(o.h_, 0);
		return *this;
	}
	// Release the handle with @req; 0 or -errno.
	int drop(unsigned long req);

	Importer *imp_ = nullptr;
	uint32_t h_ = 0;
};

class Attachment;

// A mapping of an attachment; unmapped when destroyed.
class Mapping : public Handle {
public:
	Mapping() = default;
	Mapping(Importer *imp, uint32_t att, const cen_imp_map &r)
		: Handle(imp, att), report_{r} {}
	Mapping(Mapping &&o) noexcept = default;
	Mapping &operator=(Mapping &&o) noexcept
	{
		if (this != &o) {
			unmap();
			move_from(o);
			report_ = o.report_;
		}
		return *this;
	}
	~Mapping() { unmap(); }

	const MapReport &report() const { return report_; }
	bool pass() const { return report_.pass(); }
	std::string describe() const { return report_.describe(); }
	// Re-check the current mapping (CHECK); -ENODATA once a dynamic
	// attachment let go of it in move_notify.
	int try_recheck(MapReport *out);
	MapReport recheck()
	{
		MapReport r;
		check(try_recheck(&r), "CEN_IMP_IOC_CHECK");
		return r;
	}
	// 0 or -errno (-ENODATA: already gone after a move_notify).
	int unmap() { return drop(CEN_IMP_IOC_UNMAP); }

private:
	MapReport report_;
};

// An attachment of a dma-buf to an importer device; detached when destroyed.
class Attachment : public Handle {
public:
	Attachment() = default;
	Attachment(Importer *imp, const cen_imp_attach &a)
		: Handle(imp, a.handle), info_(a) {}
	Attachment(Attachment &&o) noexcept = default;
	Attachment &operator=(Attachment &&o) noexcept
	{
		if (this != &o) {
			detach();
			move_from(o);
			info_ = o.info_;
		}
		return *this;
	}
	~Attachment() { detach(); }

	uint64_t size() const { return info_.size; }
	bool is_cenalloc() const { return info_.is_cenalloc; }
	std::string exporter() const { return info_.exporter; }

	// Map (dma_buf_map_attachment) and check every segment.
	// @flags: CEN_IMP_MAP_AGAIN maps a mapped attachment once more.
	int try_map(Mapping *out, uint32_t flags = 0);
	Mapping map(uint32_t flags = 0)
	{
		Mapping m;
		check(try_map(&m, flags), "CEN_IMP_IOC_MAP");
		return m;
	}
	int detach() { return drop(CEN_IMP_IOC_DETACH); }

	// Read or write through the pages of the current mapping, as the
	// device reaches them (CEN_IMP_IOC_DMA_RW), in chunks the ABI takes.
	int try_dma_rw(uint64_t off, void *p, size_t len, bool write);
	// Keep the device busy with the buffer for @ms (a fence on it).
	int busy(uint32_t ms);
	std::vector<uint8_t> dma_read(uint64_t off, size_t len)
	{
		std::vector<uint8_t> v(len);
		check(try_dma_rw(off, v.data(), len, false),
		      "CEN_IMP_IOC_DMA_RW read");
		return v;
	}
	void dma_write(uint64_t off, std::span<const uint8_t> src)
	{
		check(try_dma_rw(off, const_cast<uint8_t *>(src.data()),
				 src.size(), true),
		      "CEN_IMP_IOC_DMA_RW write");
	}

private:
	cen_imp_attach info_{};
};

// What a test device looks like (see struct cen_imp_dev_create).
struct DeviceSpec {
	std::string name;
	uint32_t dma_bits = 0;		// 0: platform default (32)
	uint32_t max_seg_size = 0;	// 0: kernel default (64 KiB)
	uint64_t seg_boundary_mask = 0; // 0: none
	uint64_t bus_dma_limit = 0;	// 0: none
	uint64_t align = 0;		// 0: none
	uint32_t max_segments = 0;	// 0: any (1 if contig)
	uint32_t declare = CEN_IMP_DECLARE_NONE;
	uint32_t flags = 0;		// CEN_IMP_DEV_*
};

// A platform device with chosen DMA constraints; destroyed when destroyed.
class Device : public Handle {
public:
	Device() = default;
	Device(Importer *imp, const cen_imp_dev_create &c)
		: Handle(imp, c.handle), info_(c) {}
	Device(Device &&o) noexcept = default;
	Device &operator=(Device &&o) noexcept
	{
		if (this != &o) {
			destroy();
			move_from(o);
			info_ = o.info_;
		}
		return *this;
	}
	~Device() { destroy(); }

	const cen_imp_dev_create &info() const { return info_; }
	std::string name() const { return info_.dev_name; }
	uint64_t addr_limit() const { return info_.addr_limit; }

	int try_attach(int dmabuf_fd, Attachment *out, uint32_t flags = 0);
	Attachment attach(int dmabuf_fd, uint32_t flags = 0)
	{
		Attachment a;
		check(try_attach(dmabuf_fd, &a, flags), "CEN_IMP_IOC_ATTACH");
		return a;
	}
	// -EBUSY while attachments exist.
	int destroy() { return drop(CEN_IMP_IOC_DEV_DESTROY); }

private:
	cen_imp_dev_create info_{};
};

// A kernel virtual mapping of a dma-buf; vunmapped when destroyed.
class VMap : public Handle {
public:
	VMap() = default;
	VMap(Importer *imp, const cen_imp_vmap &v)
		: Handle(imp, v.handle), info_(v) {}
	VMap(VMap &&o) noexcept = default;
	VMap &operator=(VMap &&o) noexcept
	{
		if (this != &o) {
			vunmap();
			move_from(o);
			info_ = o.info_;
		}
		return *this;
	}
	~VMap() { vunmap(); }

	uint64_t size() const { return info_.size; }
	bool is_iomem() const { return info_.is_iomem; }
	int try_read(uint64_t off, std::span<uint8_t> dst);
	int try_write(uint64_t off, std::span<const uint8_t> src);
	std::vector<uint8_t> read(uint64_t off, size_t len)
	{
		std::vector<uint8_t> v(len);
		check(try_read(off, v), "CEN_IMP_IOC_RW read");
		return v;
	}
	void write(uint64_t off, std::span<const uint8_t> src)
	{
		check(try_write(off, src), "CEN_IMP_IOC_RW write");
	}
	int vunmap() { return drop(CEN_IMP_IOC_VUNMAP); }

private:
	cen_imp_vmap info_{};
};

// An open /dev/cen_importer.
class Importer {
public:
	Importer()
	{
		int err = open();
		if (err)
			throw Error(-err, kImporterPath);
	}
	explicit Importer(std::nothrow_t) { open(); }
	Importer(const Importer &) = delete;
	Importer &operator=(const Importer &) = delete;

	static bool available() { return ::access(kImporterPath, F_OK) == 0; }
	int fd() const { return fd_.get(); }
	explicit operator bool() const { return bool(fd_); }

	int ioctl(unsigned long req, void *arg) const
	{
		return xioctl(fd_.get(), req, arg);
	}

	int try_create_device(const DeviceSpec &s, Device *out)
	{
		cen_imp_dev_create c{};
		if (s.name.size() >= sizeof(c.name))
			return -ENAMETOOLONG;
		std::memcpy(c.name, s.name.data(), s.name.size());
		c.flags = s.flags;
		c.declare = s.declare;
		c.dma_bits = s.dma_bits;
		c.max_seg_size = s.max_seg_size;
		c.seg_boundary_mask = s.seg_boundary_mask;
		c.bus_dma_limit = s.bus_dma_limit;
		c.align = s.align;
		c.max_segments = s.max_segments;
		int r = ioctl(CEN_IMP_IOC_DEV_CREATE, &c);
		if (!r)
			*out = Device(this, c);
		return r;
	}
	Device create_device(const DeviceSpec &s)
	{
		Device d;
		check(try_create_device(s, &d),
		      ("CEN_IMP_IOC_DEV_CREATE " + s.name).c_str());
		return d;
	}

	int try_vmap(int dmabuf_fd, VMap *out)
	{
		cen_imp_vmap v{};
		v.fd = dmabuf_fd;
		int r = ioctl(CEN_IMP_IOC_VMAP, &v);
		if (!r)
			*out = VMap(this, v);
		return r;
	}
	VMap vmap(int dmabuf_fd)
	{
		VMap v;
		check(try_vmap(dmabuf_fd, &v), "CEN_IMP_IOC_VMAP");
		return v;
	}

private:
	int open()
	{
		fd_.reset(::open(kImporterPath, O_RDWR | O_CLOEXEC));
		return fd_ ? 0 : -errno;
	}

	UniqueFd fd_;
};

inline int Handle::drop(unsigned long req)
{
	if (!imp_)
		return 0;
	cen_imp_handle h{};
	h.handle = h_;
	int r = imp_->ioctl(req, &h);
	// A device with attachments stays (and stays ours) on -EBUSY.
	if (r != -EBUSY) {
		imp_ = nullptr;
		h_ = 0;
	}
	return r;
}

inline int Mapping::try_recheck(MapReport *out)
{
	if (!imp_)
		return -EBADF;
	cen_imp_map m{};
	m.handle = h_;
	int r = imp_->ioctl(CEN_IMP_IOC_CHECK, &m);
	if (!r) {
		out->r = m;
		report_.r = m;
	}
	return r;
}

inline int Attachment::try_map(Mapping *out, uint32_t flags)
{
	if (!imp_)
		return -EBADF;
	cen_imp_map m{};
	m.handle = h_;
	m.flags = flags;
	int r = imp_->ioctl(CEN_IMP_IOC_MAP, &m);
	if (!r)
		*out = Mapping(imp_, h_, m);
	return r;
}

inline int Attachment::try_dma_rw(uint64_t off, void *p, size_t len,
			  bool write)
{
	if (!imp_)
		return -EBADF;
	for (size_t done = 0; done < len;) {
		cen_imp_rw rw{};
		rw.handle = h_;
		rw.flags = write ? CEN_IMP_RW_WRITE : 0;
		rw.offset = off + done;
		rw.len = std::min<size_t>(len - done, CEN_IMP_MAX_RW);
		rw.user_ptr = reinterpret_cast<uintptr_t>(
			static_cast<uint8_t *>(p) + done);
		int r = imp_->ioctl(CEN_IMP_IOC_DMA_RW, &rw);
		if (r)
			return r;
		done += rw.len;
	}
	return 0;
}

inline int Attachment::busy(uint32_t ms)
{
	if (!imp_)
		return -EBADF;
	cen_imp_busy b{};
	b.handle = h_;
	b.ms = ms;
	return imp_->ioctl(CEN_IMP_IOC_BUSY, &b);
}

inline int Device::try_attach(int dmabuf_fd, Attachment *out, uint32_t flags)
{
	if (!imp_)
		return -EBADF;
	cen_imp_attach a{};
	a.dev = h_;
	a.fd = dmabuf_fd;
	a.flags = flags;
	int r = imp_->ioctl(CEN_IMP_IOC_ATTACH, &a);
	if (!r)
		*out = Attachment(imp_, a);
	return r;
}

inline int VMap::try_read(uint64_t off, std::span<uint8_t> dst)
{
	if (!imp_)
		return -EBADF;
	cen_imp_rw rw{};
	rw.handle = h_;
	rw.offset = off;
	rw.len = dst.size();
	rw.user_ptr = reinterpret_cast<uintptr_t>(dst.data());
	return imp_->ioctl(CEN_IMP_IOC_RW, &rw);
}

inline int VMap::try_write(uint64_t off, std::span<const uint8_t> src)
{
	if (!imp_)
		return -EBADF;
	cen_imp_rw rw{};
	rw.handle = h_;
	rw.flags = CEN_IMP_RW_WRITE;
	rw.offset = off;
	rw.len = src.size();
	rw.user_ptr = reinterpret_cast<uintptr_t>(src.data());
	return imp_->ioctl(CEN_IMP_IOC_RW, &rw);
}

} // namespace cen::vm
