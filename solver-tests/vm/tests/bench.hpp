// SPDX-License-Identifier: GPL-2.0
//
// What the in-VM benchmarks (*_bench.cpp) share: medians, and ALLOC on a
// dma-heap that is already open (opening it is no part of an allocation).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <fcntl.h>
#include <linux/dma-heap.h>

#include "importer.hpp"

namespace cen::vm {

inline double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

// A dma-buf of @len bytes from the open dma-heap @heap; throws on failure.
inline UniqueFd alloc(int heap, uint64_t len)
{
	dma_heap_allocation_data a{};
	a.len = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	check(xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a), "DMA_HEAP_IOCTL_ALLOC");
	return UniqueFd(static_cast<int>(a.fd));
}

} // namespace cen::vm
