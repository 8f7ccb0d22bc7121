// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// mapping_state.hpp - what a Mapping and its CpuAccess objects share.
// Internal.
//
// The mmap, the dma-buf fd it was made from (a dup of its own, so that
// DMA_BUF_IOCTL_SYNC works after the Buffer is gone) and the device (for
// the kernel's reasons).  Shared by pointer, so moving a Mapping or
// keeping a vector of them never leaves a CpuAccess with a stale address
// or fd, and the region is unmapped after the last user is gone.
#pragma once

#include <cstddef>
#include <memory>

#include "cenalloc/buffer.hpp"
#include "cenalloc/unique_fd.hpp"

namespace cenalloc::detail {

struct MappingState {
	MappingState(UniqueFd dmabuf, std::shared_ptr<const UniqueFd> dev,
		     std::size_t length, Access prot);
	MappingState(const MappingState &) = delete;
	MappingState &operator=(const MappingState &) = delete;
	MappingState(MappingState &&) = delete;
	MappingState &operator=(MappingState &&) = delete;
	~MappingState();

	UniqueFd fd;
	std::shared_ptr<const UniqueFd> device;
	std::size_t size;
	Access access;
	std::byte *addr = nullptr;
};

} // namespace cenalloc::detail
