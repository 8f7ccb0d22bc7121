// SPDX-License-Identifier: GPL-2.0 OR MIT
///
/// @file cenalloc/cenalloc.hpp
/// @brief everything libcenalloc offers, in one include.
/// Link with -lcenalloc (pkg-config cenalloc, or CMake's
/// find_package(cenalloc) and cenalloc::cenalloc).
#pragma once

/// @namespace cenalloc
/// @brief libcenalloc's C++ API: RAII types over /dev/cenalloc and its
/// dma-bufs.  Calls named try_ return a Result and never throw; the others
/// throw cenalloc::Error.

#include "allocator.hpp"
#include "backend.hpp"
#include "buffer.hpp"
#include "buffer_info.hpp"
#include "constraints.hpp"
#include "error.hpp"
#include "unique_fd.hpp"
