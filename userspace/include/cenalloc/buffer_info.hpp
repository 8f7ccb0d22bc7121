// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/buffer_info.hpp
/// @brief the state of one buffer (INFO): where its
/// memory came from, every member (attached device or creation hint) with
/// its constraints and their sources, and the kernel's last decision in
/// words.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "constraints.hpp"
#include "export.h"

namespace cenalloc {

/// One member: a device attached to the buffer, or a creation hint.
struct Member {
	std::string device{};	///< dev_name(), or the hint's device
	std::string driver{};	///< bound driver, "" if none
	bool mapped = false;	///< has a DMA mapping now
	bool dynamic = false;	///< a dynamic importer (move_notify)
	bool from_hint = false; ///< a creation hint, not an attachment
	std::uint32_t segments = 0; ///< of its current mapping, 0 if unmapped
	Constraints constraints{};	///< resolved, with sources
};

/// One buffer's state at the time of INFO (Allocator::info(),
/// Buffer::info()): a snapshot, not updated.  When a buffer cannot get
/// memory, last_reason says why in the kernel's words: log it.
struct BufferInfo {
	std::uint64_t id = 0;		///< as in debugfs and fdinfo
	std::string name{};		///< CREATE's name, or DMA_BUF_SET_NAME's
	std::uint64_t size = 0;		///< bytes, whole pages
	bool backed = false;		///< has memory
	std::string backend{};		///< Backend::name; "" until backed
	std::uint32_t runs = 0;		///< physically contiguous runs
	Constraints merged{};		///< origins index into members
	std::uint32_t member_count = 0; ///< may exceed members.size()
	std::vector<Member> members{};	///< attached devices, creation hints
	int last_error = 0;		///< 0 or the negative errno
	std::string last_reason{};	///< the last decision and why
	std::uint32_t migrations = 0;	///< times it moved for a late member
	std::uint64_t migrated_bytes = 0; ///< copied by all migrations, bytes
	/// How long the last migration took, allocation included (a duration,
	/// not a point in time); 0 if it never moved.
	std::chrono::nanoseconds last_migration_time{0};
	/// The last migration and why; "" if it never moved.
	std::string migration_reason{};

	/// The member a merged field came from, or nullptr.
	[[nodiscard]] CENALLOC_API const Member *origin_of(Field f) const;
};

} // namespace cenalloc
