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
struct drm_mode_create_dumb_arg {
	uint32_t height, width, bpp, flags;
	uint32_t handle, pitch;
	uint64_t size;
};
inline constexpr unsigned long kDrmVersion = _IOWR('d', 0x00, drm_version_arg);
inline constexpr unsigned long kDrmGemClose = _IOW('d', 0x09, drm_gem_close_arg);
inline constexpr unsigned long kDrmPrimeHandleToFd =
	_IOWR('d', 0x2d, drm_prime_handle_arg);
inline constexpr unsigned long kDrmPrimeFdToHandle =
	_IOWR('d', 0x2e, drm_prime_handle_arg);
inline constexpr unsigned long kDrmModeCreateDumb =
	_IOWR('d', 0xb2, drm_mode_create_dumb_arg);
inline constexpr uint32_t kDrmCloexec = O_CLOEXEC;
inline constexpr uint32_t kDrmRdwr = O_RDWR;

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

// A dma-buf that is not cenalloc's, of at least @len bytes: from the
// system heap, or where the kernel has no dma-buf heaps (Debian's 6.1) a
// vgem buffer exported through PRIME.  Empty when neither is there.
inline UniqueFd foreign_dmabuf(uint64_t len)
{
	int err = 0;
	UniqueFd buf = system_heap_alloc(len, &err);
	if (buf)
		return buf;
	UniqueFd card = open_drm("vgem");
	if (!card)
		return {};
	drm_mode_create_dumb_arg d{};
	d.width = 1024;
	d.bpp = 32;
	d.height = static_cast<uint32_t>((len + 4095) / 4096);
	if (xioctl(card.get(), kDrmModeCreateDumb, &d))
		return {};
	drm_prime_handle_arg p{.handle = d.handle, .flags = kDrmCloexec | kDrmRdwr,
			       .fd = -1};
	const int r = xioctl(card.get(), kDrmPrimeHandleToFd, &p);
	drm_gem_close_arg c{.handle = d.handle, .pad = 0};
	xioctl(card.get(), kDrmGemClose, &c);
	return r ? UniqueFd() : UniqueFd(p.fd);
}

} // namespace cen::vm
