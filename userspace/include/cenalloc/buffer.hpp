// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc/buffer.hpp - a cenalloc dma-buf, its CPU mappings and scoped
// CPU access.
//
//   cenalloc::Buffer buf = alloc.create({.size = 4 << 20, .name = "frame"});
//   cenalloc::Mapping map = buf.map();            // mmap, nothing allocated
//   {
//           cenalloc::CpuAccess cpu = map.access(cenalloc::Access::write);
//           std::ranges::fill(cpu.bytes(), std::byte{0x80});
//   }                                             // DMA_BUF_IOCTL_SYNC end
//   ioctl(v4l2_fd, VIDIOC_QBUF, ...buf.fd()...);  // importers get the fd
//
// A cenalloc buffer has no memory until something needs it.  The start of a
// CpuAccess is such a point: it allocates for the members known so far and
// throws, with the kernel's reason, if no memory suits them.  Touching a
// mapping outside a CpuAccess works too, but a failed allocation is then a
// SIGBUS, not an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "buffer_info.hpp"
#include "unique_fd.hpp"

namespace cenalloc {

enum class Access : std::uint8_t { read, write, read_write };

class Mapping;

// DMA_BUF_IOCTL_SYNC START on construction, END on destruction: the CPU
// may touch bytes() in between.  A guard, like std::lock_guard: it
// neither moves nor outlives the Mapping it came from.
class CpuAccess {
public:
	CpuAccess(const Mapping &mapping, Access access);
	CpuAccess(const CpuAccess &) = delete;
	CpuAccess &operator=(const CpuAccess &) = delete;
	CpuAccess(CpuAccess &&) = delete;
	CpuAccess &operator=(CpuAccess &&) = delete;
	~CpuAccess();

	[[nodiscard]] std::span<std::byte> bytes() const noexcept;
	// End the access now and report a failure (the destructor cannot).
	void end();

private:
	const Mapping &mapping_;
	Access access_;
	bool active_ = true;
};

// A shared mapping of a whole buffer, unmapped when destroyed.  It keeps
// its own reference to the dma-buf, so it may outlive the Buffer.
class Mapping {
public:
	Mapping(Mapping &&) noexcept = default;
	Mapping &operator=(Mapping &&) noexcept = default;
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	~Mapping() = default;

	[[nodiscard]] std::span<std::byte> bytes() const noexcept
	{
		return {addr_.get(), size_};
	}
	[[nodiscard]] std::size_t size() const noexcept { return size_; }
	[[nodiscard]] Access protection() const noexcept { return access_; }
	// Begin CPU access (see CpuAccess); @access within protection().
	[[nodiscard]] CpuAccess access(Access access) const
	{
		return CpuAccess(*this, access);
	}

private:
	friend class Buffer;
	friend class CpuAccess;

	struct Unmap {
		std::size_t size;
		void operator()(std::byte *addr) const noexcept;
	};

	Mapping(UniqueFd fd, std::shared_ptr<const UniqueFd> device,
		std::size_t size, Access access);

	UniqueFd fd_;					// our own dup
	std::shared_ptr<const UniqueFd> device_;	// for the kernel's reasons
	std::size_t size_;
	Access access_;
	std::unique_ptr<std::byte, Unmap> addr_;
};

// A cenalloc dma-buf file descriptor, closed when destroyed.  Hand fd() to
// importers (V4L2, DRM PRIME, other processes); they take their own
// references.
class Buffer {
public:
	Buffer(Buffer &&) noexcept = default;
	Buffer &operator=(Buffer &&) noexcept = default;
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;
	~Buffer() = default;

	[[nodiscard]] int fd() const noexcept { return fd_.get(); }
	[[nodiscard]] std::uint64_t id() const noexcept { return id_; }
	// Bytes: the size asked for, rounded up to whole pages.
	[[nodiscard]] std::uint64_t size() const noexcept { return size_; }
	[[nodiscard]] const std::string &name() const noexcept
	{
		return name_;
	}

	// INFO on this buffer.
	[[nodiscard]] BufferInfo info() const;
	// mmap the whole buffer; nothing is allocated until it is touched.
	[[nodiscard]] Mapping map(Access access = Access::read_write) const;
	// Hand the descriptor over; the Buffer is empty afterwards.
	[[nodiscard]] UniqueFd release() &&;

private:
	friend class Allocator;
	Buffer(std::shared_ptr<const UniqueFd> device, UniqueFd fd,
	       std::uint64_t id, std::uint64_t size, std::string name);

	std::shared_ptr<const UniqueFd> device_;
	UniqueFd fd_;
	std::uint64_t id_;
	std::uint64_t size_;
	std::string name_{};
};

} // namespace cenalloc
