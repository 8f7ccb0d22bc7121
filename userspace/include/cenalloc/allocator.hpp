// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cenalloc/allocator.hpp - /dev/cenalloc: query, create buffers, inspect
// them, load platform profiles.
//
//   cenalloc::Allocator alloc;                    // opens /dev/cenalloc
//   auto buf = alloc.create({.size = 1920 * 1080 * 2,
//                            .name = "frame",
//                            .hints = {{.device = "platform:vivid.0"}}});
//   std::cout << buf.info().last_reason << "\n";
//
// Every call throws cenalloc::Error on failure.  The Allocator may be
// destroyed before the buffers it created.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend.hpp"
#include "buffer.hpp"
#include "buffer_info.hpp"
#include "constraints.hpp"
#include "unique_fd.hpp"

namespace cenalloc {

// A device the buffer is meant for, named ("platform:vivid.0", or a bare
// device name) and/or described by constraints (source "creation hint").
struct Hint {
	std::string device{};
	Constraints constraints{};
};

struct BufferSpec {
	std::uint64_t size = 0;		// bytes, rounded up to pages
	std::string name{};		// shown in debugfs and fdinfo
	std::vector<Hint> hints{};	// at most kMaxHints
	bool dynamic = false;		// needs Feature::move_notify
	bool read_only = false;		// O_RDONLY dma-buf fd
};

// Which devices a profile applies to: every key that is set must match.
struct DeviceMatch {
	std::optional<std::string> device{};	// dev_name(), "vivid.0"
	std::optional<std::string> driver{};	// bound driver, "vivid"
	std::optional<std::string> bus{};		// "platform", "pci"

	[[nodiscard]] bool empty() const
	{
		return !device && !driver && !bus;
	}
	// "device=vivid.0 bus=platform"
	[[nodiscard]] std::string describe() const;
	friend bool operator==(const DeviceMatch &,
			       const DeviceMatch &) = default;
};

// Constraints for the devices a match selects (source "platform profile"),
// applied when such a device next attaches to a buffer.
struct Profile {
	DeviceMatch match;
	Constraints constraints{};
	friend bool operator==(const Profile &, const Profile &) = default;
};

inline constexpr std::size_t kMaxHints = 16;
inline constexpr std::size_t kMaxNameLength = 31;	// buffer, driver, bus
inline constexpr std::size_t kMaxDeviceLength = 63;

class Allocator {
public:
	static constexpr const char *kDefaultPath = "/dev/cenalloc";

	// Open the device; Error(ENOENT) says the module is not loaded.
	explicit Allocator(const std::filesystem::path &path = kDefaultPath);

	[[nodiscard]] Capabilities query() const;

	[[nodiscard]] Buffer create(const BufferSpec &spec) const;
	// Take over a dma-buf fd (from another process, say); Error(EINVAL)
	// when cenalloc did not export it.
	[[nodiscard]] Buffer adopt(UniqueFd fd) const;

	// INFO on any cenalloc dma-buf fd (not owned).
	[[nodiscard]] BufferInfo info(int dmabuf_fd) const;
	// INFO by id: needs CAP_SYS_ADMIN.
	[[nodiscard]] BufferInfo info_by_id(std::uint64_t id) const;
	// The ids of every cenalloc buffer on the system (CAP_SYS_ADMIN), in
	// increasing order: read from debugfs (cenalloc/buffers) when it is
	// mounted, else found by probing every id up to that of a buffer
	// created for the purpose.  Buffers may be gone by the time their
	// INFO is asked for (Error with ENOENT).
	[[nodiscard]] std::vector<std::uint64_t> buffer_ids() const;

	// PROFILE_SET (CAP_SYS_ADMIN).  A profile with the same match
	// replaces the old one; the newest matching profile wins.
	void set_profile(const Profile &profile) const;
	// PROFILE_CLEAR of the profile with exactly this match; Error(ENOENT)
	// when there is none.
	void clear_profile(const DeviceMatch &match) const;
	void clear_all_profiles() const;

	[[nodiscard]] int fd() const noexcept { return device_->get(); }

private:
	std::shared_ptr<const UniqueFd> device_;
	std::filesystem::path path_;
};

} // namespace cenalloc
