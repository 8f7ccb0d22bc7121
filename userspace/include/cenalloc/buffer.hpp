// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/buffer.hpp
/// @brief a cenalloc dma-buf, its CPU mappings and scoped
/// CPU access.
///
/// @code
///   cenalloc::Buffer buf = alloc.create({.size = 4 << 20, .name = "frame"});
///   cenalloc::Mapping map = buf.map();            // mmap, nothing allocated
///   {
///           cenalloc::CpuAccess cpu = map.access(cenalloc::Access::write);
///           std::fill(cpu.bytes().begin(), cpu.bytes().end(), std::byte{0x80});
///   }                                             // DMA_BUF_IOCTL_SYNC end
///   ioctl(v4l2_fd, VIDIOC_QBUF, ...buf.fd()...);  // importers get the fd
/// @endcode
///
/// A cenalloc buffer has no memory until something needs it.  The start of a
/// CpuAccess is such a point: it allocates for the members known so far and
/// fails, with the kernel's reason, if no memory suits them.  Touching a
/// mapping outside a CpuAccess works too, but a failed allocation is then a
/// SIGBUS, not a Failure.
///
/// Thread safety: a Buffer, a Mapping and a CpuAccess are values: const
/// calls may run in several threads at once, moving or destroying one needs
/// that no other thread uses it.  Different objects for the same dma-buf
/// are independent (the kernel serializes what needs it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#if __has_include(<span>)
#include <span>
#endif

#include "buffer_info.hpp"
#include "export.h"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cenalloc {

namespace detail {
struct MappingState;	///< the mmap and its own dma-buf fd (library-internal)
} // namespace detail

/// What the CPU does with a mapping: its protection (Buffer::map()) and,
/// within it, one access (Mapping::access()); also the direction of the
/// cache maintenance DMA_BUF_IOCTL_SYNC does.
enum class Access : std::uint8_t {
	read,		///< the CPU reads what devices wrote
	write,		///< the CPU writes for devices to read
	read_write	///< both
};

/// Bytes of a mapping: a pointer and a length, as std::span<std::byte> is
/// in C++20 (and converts to it there).
class ByteSpan {
public:
	/// No bytes.
	constexpr ByteSpan() noexcept = default;
	/// @p size bytes at @p data (not owned).
	constexpr ByteSpan(std::byte *data, std::size_t size) noexcept
		: data_(data), size_(size)
	{
	}
	/// The first byte; nullptr when empty.
	[[nodiscard]] constexpr std::byte *data() const noexcept { return data_; }
	/// In bytes.
	[[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
	/// size() == 0.
	[[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
	/// data(), for range-for and the standard algorithms.
	[[nodiscard]] constexpr std::byte *begin() const noexcept { return data_; }
	/// One past the last byte.
	[[nodiscard]] constexpr std::byte *end() const noexcept
	{
		return data_ + size_;
	}
	/// Byte @p i; not checked (@p i < size()).
	constexpr std::byte &operator[](std::size_t i) const noexcept
	{
		return data_[i];
	}
#if defined(__cpp_lib_span)
	/// The same bytes as a std::span (where the library has one).
	// NOLINTNEXTLINE(google-explicit-constructor): a span, as in C++20;
	constexpr operator std::span<std::byte>() const noexcept
	{
		return {data_, size_};
	}
#endif

private:
	std::byte *data_ = nullptr;
	std::size_t size_ = 0;
};

/// DMA_BUF_IOCTL_SYNC START when it begins, END when it is destroyed: the
/// CPU may touch bytes() in between.  It keeps the mapping alive, so moving
/// or destroying the Mapping it came from does not end it early; a moved-from
/// CpuAccess is empty and ends nothing.
class CENALLOC_API CpuAccess {
public:
	/// Empty: ends nothing.  Mapping::access() makes active ones.
	CpuAccess() noexcept = default;
	/// Moves; @p other is left empty.
	CpuAccess(CpuAccess &&other) noexcept { swap(other); }
	/// Ends the access held (if any), then moves; @p other is left empty.
	CpuAccess &operator=(CpuAccess &&other) noexcept
	{
		CpuAccess(std::move(other)).swap(*this);
		return *this;
	}
	CpuAccess(const CpuAccess &) = delete;
	CpuAccess &operator=(const CpuAccess &) = delete;
	/// Ends the access (DMA_BUF_IOCTL_SYNC END); a failure there is lost:
	/// call try_end() to see it.
	~CpuAccess();

	/// The whole buffer's bytes, valid until the access ends; empty when
	/// the access is empty or ended.
	[[nodiscard]] ByteSpan bytes() const noexcept { return bytes_; }
	/// Begun and not yet ended (nor moved from).
	[[nodiscard]] bool active() const noexcept { return state_ != nullptr; }
	/// End the access now and report a failure (the destructor cannot).
	/// Ending an empty or ended access succeeds.
	Result<void> try_end() noexcept;
#if defined(__cpp_exceptions)
	/// try_end() that throws cenalloc::Error.
	void end() { try_end().value(); }
#endif

private:
	friend class Mapping;
	CpuAccess(std::shared_ptr<const detail::MappingState> state,
		  ByteSpan bytes, Access access) noexcept
		: state_(std::move(state)), bytes_(bytes), access_(access)
	{
	}
	void swap(CpuAccess &other) noexcept
	{
		std::swap(state_, other.state_);
		std::swap(bytes_, other.bytes_);
		std::swap(access_, other.access_);
	}

	std::shared_ptr<const detail::MappingState> state_{};
	ByteSpan bytes_{};
	Access access_ = Access::read;
};

/// A shared mapping of a whole buffer, unmapped when the last of it and its
/// CpuAccess objects is gone.  It keeps its own reference to the dma-buf, so
/// it may outlive the Buffer.  A moved-from Mapping is empty: bytes() is
/// empty and try_access() fails with EBADF.
class CENALLOC_API Mapping {
public:
	/// Empty.  Buffer::map() makes mappings.
	Mapping() noexcept = default;
	/// Moves; @p other is left empty.
	Mapping(Mapping &&other) noexcept { swap(other); }
	/// Moves; @p other is left empty.  The mapping held before is unmapped
	/// unless a CpuAccess still uses it.
	Mapping &operator=(Mapping &&other) noexcept
	{
		Mapping(std::move(other)).swap(*this);
		return *this;
	}
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	/// Unmaps, unless a CpuAccess from it still runs (it unmaps then).
	~Mapping() = default;

	/// The whole buffer, as long as the Mapping lives; touch it within a
	/// CpuAccess (see the top of this file).  Empty when the Mapping is.
	[[nodiscard]] ByteSpan bytes() const noexcept { return bytes_; }
	/// Bytes mapped: the buffer's size.
	[[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
	/// The access it was mapped for; accesses must stay within it.
	[[nodiscard]] Access protection() const noexcept { return access_; }
	/// Not empty (not moved from).
	[[nodiscard]] bool valid() const noexcept { return state_ != nullptr; }
	/// Begin CPU access (see CpuAccess); @p access within protection()
	/// (any access within Access::read_write), else EINVAL.  The first
	/// access of a buffer is where it gets memory: a Failure then carries
	/// the kernel's reason.  EBADF when the Mapping is empty.
	[[nodiscard]] Result<CpuAccess> try_access(Access access) const noexcept;
#if defined(__cpp_exceptions)
	/// try_access() that throws cenalloc::Error.
	[[nodiscard]] CpuAccess access(Access access) const
	{
		return try_access(access).value();
	}
#endif

private:
	friend class Buffer;
	Mapping(std::shared_ptr<const detail::MappingState> state,
		ByteSpan bytes, Access access) noexcept
		: state_(std::move(state)), bytes_(bytes), access_(access)
	{
	}
	void swap(Mapping &other) noexcept
	{
		std::swap(state_, other.state_);
		std::swap(bytes_, other.bytes_);
		std::swap(access_, other.access_);
	}

	std::shared_ptr<const detail::MappingState> state_{};
	ByteSpan bytes_{};
	Access access_ = Access::read;
};

/// A cenalloc dma-buf file descriptor, closed when destroyed.  Hand fd() to
/// importers (V4L2, DRM PRIME, other processes); they take their own
/// references.  A moved-from or released Buffer is empty: fd() is -1 and
/// every try_ call fails with EBADF.
class CENALLOC_API Buffer {
public:
	/// Empty.  Allocator::create() and Allocator::adopt() make buffers.
	Buffer() noexcept = default;
	/// Moves; @p other is left empty.
	Buffer(Buffer &&other) noexcept { swap(other); }
	/// Closes the descriptor held (if any), then moves; @p other is left
	/// empty.
	Buffer &operator=(Buffer &&other) noexcept
	{
		Buffer(std::move(other)).swap(*this);
		return *this;
	}
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;
	/// Closes the descriptor.  The dma-buf lives on while importers,
	/// Mappings or other descriptors of it remain.
	~Buffer() = default;

	/// The dma-buf descriptor, owned by the Buffer: importers take their
	/// own reference, so do not close it; dup() it to keep one.  -1 when
	/// empty.
	[[nodiscard]] int fd() const noexcept { return fd_.get(); }
	/// Not empty (not moved from nor released).
	[[nodiscard]] bool valid() const noexcept { return fd_.valid(); }
	/// The system-wide id: debugfs, fdinfo, Allocator::info_by_id().
	[[nodiscard]] std::uint64_t id() const noexcept { return id_; }
	/// Bytes: the size asked for, rounded up to whole pages.
	[[nodiscard]] std::uint64_t size() const noexcept { return size_; }
	/// The name it was created (or, adopted, found) with; a later
	/// DMA_BUF_SET_NAME shows in info() only.
	[[nodiscard]] const std::string &name() const noexcept
	{
		return name_;
	}

	/// INFO on this buffer.
	[[nodiscard]] Result<BufferInfo> try_info() const noexcept;
	/// mmap the whole buffer; nothing is allocated until it is touched.
	/// @p access is the protection: EACCES when it asks to write a
	/// read-only buffer.  EBADF when the Buffer is empty.
	[[nodiscard]] Result<Mapping>
	try_map(Access access = Access::read_write) const noexcept;
#if defined(__cpp_exceptions)
	/// try_info() that throws cenalloc::Error.
	[[nodiscard]] BufferInfo info() const { return try_info().value(); }
	/// try_map() that throws cenalloc::Error.
	[[nodiscard]] Mapping map(Access access = Access::read_write) const
	{
		return try_map(access).value();
	}
#endif
	/// Hand the descriptor over; the Buffer is empty afterwards.
	[[nodiscard]] UniqueFd release() &&
	{
		UniqueFd fd = std::move(fd_);

		Buffer().swap(*this);
		return fd;
	}

private:
	friend class Allocator;
	Buffer(std::shared_ptr<const UniqueFd> device, UniqueFd fd,
	       std::uint64_t id, std::uint64_t size, std::string name) noexcept
		: device_(std::move(device)), fd_(std::move(fd)), id_(id),
		  size_(size), name_(std::move(name))
	{
	}
	void swap(Buffer &other) noexcept
	{
		std::swap(device_, other.device_);
		std::swap(fd_, other.fd_);
		std::swap(id_, other.id_);
		std::swap(size_, other.size_);
		std::swap(name_, other.name_);
	}

	std::shared_ptr<const UniqueFd> device_{};
	UniqueFd fd_{};
	std::uint64_t id_ = 0;
	std::uint64_t size_ = 0;
	std::string name_{};
};

} // namespace cenalloc
