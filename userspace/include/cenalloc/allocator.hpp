// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/allocator.hpp
/// @brief /dev/cenalloc: query, create buffers, inspect
/// them, load platform profiles.
///
/// @code
///   cenalloc::Allocator alloc;                    // opens /dev/cenalloc
///   auto buf = alloc.create({.size = 1920 * 1080 * 2,
///                            .name = "frame",
///                            .hints = {{.device = "platform:vivid.0"}}});
///   std::cout << buf.info().last_reason << "\n";
/// @endcode
///
/// Every call has a try_ form that returns a Result (result.hpp) and, where
/// exceptions are enabled, a form that throws cenalloc::Error.  The
/// Allocator may be destroyed before the buffers it created.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "buffer.hpp"
#include "buffer_info.hpp"
#include "constraints.hpp"
#include "export.h"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cenalloc {

/// A device the buffer is meant for, named ("platform:vivid.0", or a bare
/// device name) and/or described by constraints (source "creation hint").
/// Give at least one of the two: a hint with neither fails with EINVAL.
struct Hint {
	/// "platform:vivid.0", a bare device name, or "" for none; at most
	/// kMaxDeviceLength bytes.  A named device that is neither present nor
	/// in a profile makes create() fail with ENODEV.
	std::string device{};
	/// Constraints of the hint itself (source "creation hint"); empty for
	/// none, when the device's own or its profile's are to be used.
	Constraints constraints{};
};

/// What Allocator::create() is asked to make.  Designated initializers read
/// best (see allocator.hpp).
struct BufferSpec {
	std::uint64_t size = 0;		///< bytes, rounded up to pages; not 0
	/// Shown in debugfs and fdinfo; at most kMaxNameLength bytes.
	std::string name{};
	std::vector<Hint> hints{};	///< at most kMaxHints
	bool dynamic = false;		///< needs Feature::move_notify
	bool read_only = false;		///< O_RDONLY dma-buf fd
};

/// Which devices a profile applies to: every key that is set must match.
struct DeviceMatch {
	std::optional<std::string> device{};	///< dev_name(), "vivid.0"
	std::optional<std::string> driver{};	///< bound driver, "vivid"
	std::optional<std::string> bus{};		///< "platform", "pci"

	/// No key is set: profile calls refuse such a match (EINVAL).
	[[nodiscard]] bool empty() const
	{
		return !device && !driver && !bus;
	}
	/// "device=vivid.0 bus=platform"
	[[nodiscard]] CENALLOC_API std::string describe() const;
	/// Same keys with the same values.
	friend bool operator==(const DeviceMatch &a, const DeviceMatch &b)
	{
		return a.device == b.device && a.driver == b.driver &&
		       a.bus == b.bus;
	}
	/// !(a == b).
	friend bool operator!=(const DeviceMatch &a, const DeviceMatch &b)
	{
		return !(a == b);
	}
};

/// Constraints for the devices a match selects (source "platform profile"),
/// applied when such a device next attaches to a buffer.
struct Profile {
	DeviceMatch match;		///< the devices it applies to; not empty
	Constraints constraints{};	///< at least one field set, else EINVAL
	/// Same match and same constraints.
	friend bool operator==(const Profile &a, const Profile &b)
	{
		return a.match == b.match && a.constraints == b.constraints;
	}
	/// !(a == b).
	friend bool operator!=(const Profile &a, const Profile &b)
	{
		return !(a == b);
	}
};

/// @name Limits of the kernel's ABI
/// Longer names and more hints fail with EINVAL, naming what was too long:
/// a truncated device name would silently match another device, or none.
/// Lengths are in bytes, without the terminating NUL.
/// @{
inline constexpr std::size_t kMaxHints = 16;		///< hints per buffer
inline constexpr std::size_t kMaxNameLength = 31;	///< buffer, driver, bus
inline constexpr std::size_t kMaxDeviceLength = 63;	///< device names
/// @}

/// /dev/cenalloc, shared by the Buffers it creates (each keeps the device
/// open for the kernel's reasons).  Thread safety: every const call may run
/// in many threads at once; moving or destroying an Allocator needs that no
/// other thread uses it.  A moved-from Allocator is empty: fd() is -1 and
/// every try_ call fails with EBADF.
class CENALLOC_API Allocator {
public:
	/// The node the cenalloc module creates.
	static constexpr const char *kDefaultPath = "/dev/cenalloc";

	/// Open the device; a Failure with ENOENT says the module is not
	/// loaded, with ENOTTY that @p path is not cenalloc, with EACCES
	/// that the caller may not open it (a udev rule grants a group).
	[[nodiscard]] static Result<Allocator>
	open(const std::string &path = kDefaultPath) noexcept;
#if defined(__cpp_exceptions)
	/// open() of kDefaultPath that throws cenalloc::Error.
	Allocator() : Allocator(open().value()) {}
	/// open(@p path) that throws cenalloc::Error.
	explicit Allocator(const std::string &path)
		: Allocator(open(path).value())
	{
	}
#endif
	/// Moves; @p other is left empty.
	Allocator(Allocator &&other) noexcept { swap(other); }
	/// Moves; @p other is left empty.  Buffers created through the old
	/// device stay valid.
	Allocator &operator=(Allocator &&other) noexcept
	{
		Allocator(std::move(other)).swap(*this);
		return *this;
	}
	Allocator(const Allocator &) = delete;
	Allocator &operator=(const Allocator &) = delete;
	/// Closes the device once no Buffer or Mapping made through it is
	/// left either.
	~Allocator() = default;

	/// QUERY: the ABI version, features, page size and backends with
	/// their counters now.
	[[nodiscard]] Result<Capabilities> try_query() const noexcept;
	/// CREATE: a buffer with no memory behind it yet (it gets memory at
	/// its first CPU access or DMA mapping).  EINVAL for a zero size, a
	/// name too long or hints that are malformed or cannot be satisfied
	/// together; ENODEV when a hint names a device that is neither
	/// present nor in a profile; E2BIG beyond the machine's memory or
	/// the module's size_limit_mb; EOPNOTSUPP for a dynamic buffer on a
	/// kernel without CONFIG_DMABUF_MOVE_NOTIFY.
	[[nodiscard]] Result<Buffer> try_create(const BufferSpec &spec) const noexcept;
	/// Take over a dma-buf fd (from another process, say); EINVAL when
	/// cenalloc did not export it (the fd is closed then too).
	[[nodiscard]] Result<Buffer> try_adopt(UniqueFd fd) const noexcept;
	/// INFO on any cenalloc dma-buf fd (not owned); EINVAL when it is
	/// not one.
	[[nodiscard]] Result<BufferInfo> try_info(int dmabuf_fd) const noexcept;
	/// INFO by id: needs CAP_SYS_ADMIN (else EPERM); ENOENT when no
	/// buffer has this id (any more).
	[[nodiscard]] Result<BufferInfo>
	try_info_by_id(std::uint64_t id) const noexcept;
	/// The ids of every cenalloc buffer on the system (CAP_SYS_ADMIN), in
	/// increasing order: read from debugfs (cenalloc/buffers) when it is
	/// mounted, else found by probing every id up to that of a buffer
	/// created for the purpose.  Buffers may be gone by the time their
	/// INFO is asked for (ENOENT).
	[[nodiscard]] Result<std::vector<std::uint64_t>>
	try_buffer_ids() const noexcept;
	/// PROFILE_SET (CAP_SYS_ADMIN, else EPERM).  A profile with the same
	/// match replaces the old one; the newest matching profile wins.
	/// EINVAL for an empty match or no constraint set.
	Result<void> try_set_profile(const Profile &profile) const noexcept;
	/// PROFILE_CLEAR of the profile with exactly this match (CAP_SYS_ADMIN,
	/// else EPERM); ENOENT when there is none.
	Result<void> try_clear_profile(const DeviceMatch &match) const noexcept;
	/// PROFILE_CLEAR of every profile (CAP_SYS_ADMIN, else EPERM); no
	/// profile loaded is not a failure.
	Result<void> try_clear_all_profiles() const noexcept;

#if defined(__cpp_exceptions)
	/// @name Throwing forms
	/// The try_ calls above, throwing cenalloc::Error instead (only where
	/// exceptions are enabled).
	/// @{

	/// try_query() that throws cenalloc::Error.
	[[nodiscard]] Capabilities query() const { return try_query().value(); }
	/// try_create() that throws cenalloc::Error.
	[[nodiscard]] Buffer create(const BufferSpec &spec) const
	{
		return try_create(spec).value();
	}
	/// try_adopt() that throws cenalloc::Error.
	[[nodiscard]] Buffer adopt(UniqueFd fd) const
	{
		return try_adopt(std::move(fd)).value();
	}
	/// try_info() that throws cenalloc::Error.
	[[nodiscard]] BufferInfo info(int dmabuf_fd) const
	{
		return try_info(dmabuf_fd).value();
	}
	/// try_info_by_id() that throws cenalloc::Error.
	[[nodiscard]] BufferInfo info_by_id(std::uint64_t id) const
	{
		return try_info_by_id(id).value();
	}
	/// try_buffer_ids() that throws cenalloc::Error.
	[[nodiscard]] std::vector<std::uint64_t> buffer_ids() const
	{
		return try_buffer_ids().value();
	}
	/// try_set_profile() that throws cenalloc::Error.
	void set_profile(const Profile &profile) const
	{
		try_set_profile(profile).value();
	}
	/// try_clear_profile() that throws cenalloc::Error.
	void clear_profile(const DeviceMatch &match) const
	{
		try_clear_profile(match).value();
	}
	/// try_clear_all_profiles() that throws cenalloc::Error.
	void clear_all_profiles() const { try_clear_all_profiles().value(); }
	/// @}
#endif

	/// The device's descriptor, owned by the Allocator (for poll() or
	/// ioctls of your own; do not close it); -1 when empty.
	[[nodiscard]] int fd() const noexcept
	{
		return device_ ? device_->get() : -1;
	}
	/// Not empty (not moved from).
	[[nodiscard]] bool valid() const noexcept { return device_ != nullptr; }
	/// The node it opened; "" when empty.
	[[nodiscard]] const std::string &path() const noexcept { return path_; }

private:
	Allocator(std::shared_ptr<const UniqueFd> device,
		  std::string path) noexcept
		: device_(std::move(device)), path_(std::move(path))
	{
	}
	void swap(Allocator &other) noexcept
	{
		std::swap(device_, other.device_);
		std::swap(path_, other.path_);
	}

	std::shared_ptr<const UniqueFd> device_{};
	std::string path_{};
};

} // namespace cenalloc
