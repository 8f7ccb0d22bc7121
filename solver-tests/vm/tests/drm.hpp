// SPDX-License-Identifier: GPL-2.0
//
// The few DRM ioctls the VM tests use, from include/uapi/drm/drm.h
// (libdrm's headers are not in the image), and a card found by its
// driver's name.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/ioctl.h>

#include "importer.hpp"

namespace cen::vm {

struct drm_version_arg {
	int major, minor, patch;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};
struct drm_prime_handle_arg {
	uint32_t handle, flags;
	int32_t fd;
};
struct drm_gem_close_arg {
	uint32_t handle, pad;
};
inline constexpr unsigned long kDrmVersion = _IOWR('d', 0x00, drm_version_arg);
inline constexpr unsigned long kDrmGemClose = _IOW('d', 0x09, drm_gem_close_arg);
inline constexpr unsigned long kDrmPrimeFdToHandle =
	_IOWR('d', 0x2e, drm_prime_handle_arg);

// The /dev/dri/card* node whose driver is @driver; empty when none is.
inline UniqueFd open_drm(const std::string &driver)
{
	for (int n = 0; n < 8; n++) {
		const std::string path = "/dev/dri/card" + std::to_string(n);
		UniqueFd card(::open(path.c_str(), O_RDWR | O_CLOEXEC));
		char name[32] = {};
		drm_version_arg v{};
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (card && !xioctl(card.get(), kDrmVersion, &v) && driver == name)
			return card;
	}
	return UniqueFd();
}

} // namespace cen::vm
