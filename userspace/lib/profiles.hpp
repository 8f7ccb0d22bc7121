// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// profiles.hpp - PROFILE_SET and PROFILE_CLEAR.  Internal.
#pragma once

#include "cenalloc/allocator.hpp"

namespace cenalloc::detail {

// Each throws Error with the reason a user can act on (EPERM: root).
void set_profile(int device, const Profile &profile);
void clear_profile(int device, const DeviceMatch &match);
void clear_all_profiles(int device);

} // namespace cenalloc::detail
