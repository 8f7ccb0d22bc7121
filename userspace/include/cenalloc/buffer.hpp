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
} ///< namespace detail

enum class Access : std::uint8_t { read, write, read_write };

/// Bytes of a mapping: a pointer and a length, as std::span<std::byte> is
/// in C++20 (and converts to it there).
class ByteSpan {
public:
	constexpr ByteSpan() noexcept = default;
	constexpr ByteSpan(std::byte *data, std::size_t size) noexcept
		: data_(data), size_(size)
	{
	}
	[[nodiscard]] constexpr std::byte *data() const noexcept { return data_; }
	[[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
	[[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
	[[nodiscard]] constexpr std::byte *begin() const noexcept { return data_; }
	[[nodiscard]] constexpr std::byte *end() const noexcept
	{
		return data_ + size_;
	}
	constexpr std::byte &operator[](std::size_t i) const noexcept
	{
		return data_[i];
	}
#if defined(__cpp_lib_span)
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
	CpuAccess() noexcept = default;
	CpuAccess(CpuAccess &&other) noexcept { swap(other); }
	CpuAccess &operator=(CpuAccess &&other) noexcept
	{
		CpuAccess(std::move(other)).swap(*this);
		return *this;
	}
	CpuAccess(const CpuAccess &) = delete;
	CpuAccess &operator=(const CpuAccess &) = delete;
	~CpuAccess();

	[[nodiscard]] ByteSpan bytes() const noexcept { return bytes_; }
	[[nodiscard]] bool active() const noexcept { return state_ != nullptr; }
	/// End the access now and report a failure (the destructor cannot).
	/// Ending an empty or ended access succeeds.
	Result<void> try_end() noexcept;
#if defined(__cpp_exceptions)
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
	Mapping() noexcept = default;
	Mapping(Mapping &&other) noexcept { swap(other); }
	Mapping &operator=(Mapping &&other) noexcept
	{
		Mapping(std::move(other)).swap(*this);
		return *this;
	}
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	~Mapping() = default;

	[[nodiscard]] ByteSpan bytes() const noexcept { return bytes_; }
	[[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
	[[nodiscard]] Access protection() const noexcept { return access_; }
	[[nodiscard]] bool valid() const noexcept { return state_ != nullptr; }
	/// Begin CPU access (see CpuAccess); @access within protection().
	/// The first access of a buffer is where it gets memory: a Failure
	/// then carries the kernel's reason.
	[[nodiscard]] Result<CpuAccess> try_access(Access access) const noexcept;
#if defined(__cpp_exceptions)
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
	Buffer() noexcept = default;
	Buffer(Buffer &&other) noexcept { swap(other); }
	Buffer &operator=(Buffer &&other) noexcept
	{
		Buffer(std::move(other)).swap(*this);
		return *this;
	}
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;
	~Buffer() = default;

	[[nodiscard]] int fd() const noexcept { return fd_.get(); }
	[[nodiscard]] bool valid() const noexcept { return fd_.valid(); }
	[[nodiscard]] std::uint64_t id() const noexcept { return id_; }
	/// Bytes: the size asked for, rounded up to whole pages.
	[[nodiscard]] std::uint64_t size() const noexcept { return size_; }
	[[nodiscard]] const std::string &name() const noexcept
	{
		return name_;
	}

	/// INFO on this buffer.
	[[nodiscard]] Result<BufferInfo> try_info() const noexcept;
	/// mmap the whole buffer; nothing is allocated until it is touched.
	[[nodiscard]] Result<Mapping>
	try_map(Access access = Access::read_write) const noexcept;
#if defined(__cpp_exceptions)
	[[nodiscard]] BufferInfo info() const { return try_info().value(); }
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

} ///< namespace cenalloc
