// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A KMS display that shows dma-bufs it imports (DRM PRIME) on its primary
// plane with atomic commits, and reads back what its CRTC composed through
// a writeback connector: the display half of the camera-to-display
// pipeline, and its proof.  Only the kernel's DRM uapi is used (the
// headers of libdrm-dev), so it links anywhere, statically too.  Errors
// are returned, never thrown: 0 or -errno, with error() saying which call
// failed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cenalloc::example {

class Display {
public:
	// The first card whose driver is @driver (e.g. "vkms") that has a
	// CRTC, a primary plane and a writeback connector.
	static std::optional<Display> open(const std::string &driver,
					   std::string *why);

	Display(Display &&other) noexcept;
	Display &operator=(Display &&other) = delete;
	Display(const Display &) = delete;
	Display &operator=(const Display &) = delete;
	~Display();

	// Import dma-buf @fd holding XRGB8888 frames of the mode's size:
	// this is where the driver attaches (and, up to 6.12, maps) it.
	// Returns the framebuffer id (> 0) or -errno.
	int import(int fd, std::uint32_t pitch);
	// Show framebuffer @fb and wait until the writeback connector has
	// written what the CRTC composed; readback() then holds it.  The
	// first call sets the mode (@width x @height at 60 Hz) and drives the
	// CRTC with the writeback connector alone: vkms refuses a CRTC that
	// also drives its virtual output while writing back (6.12's clone
	// check).
	int show(int fb);
	// The last composed frame, XRGB8888, readback_pitch() bytes a line.
	std::span<const std::uint8_t> readback() const;
	std::uint32_t readback_pitch() const { return wb_.pitch; }

	// The size frames are shown at; set before the first show().
	void set_size(std::uint32_t width, std::uint32_t height);

	const std::string &error() const { return error_; }

private:
	struct Prop {
		std::uint32_t object;
		std::string name;
		std::uint32_t id;
	};
	struct Dumb {
		std::uint32_t handle = 0, pitch = 0, fb = 0;
		std::uint64_t size = 0;
		void *map = nullptr;
	};

	explicit Display(int fd);
	int fail(const char *what, int err);
	int find_pipe();
	int make_writeback_buffer();
	int set_mode(int fb);
	int commit(int fb, bool modeset, int *fence);
	void wait_vblank() const;
	void hold_vblank() const;
	std::uint32_t prop(std::uint32_t object, std::uint32_t type,
			   const char *name);

	int fd_ = -1;
	std::uint32_t width_ = 0;
	std::uint32_t height_ = 0;
	std::uint32_t crtc_ = 0;
	std::uint32_t plane_ = 0;
	std::uint32_t writeback_ = 0;
	std::uint32_t mode_blob_ = 0;
	std::vector<std::uint32_t> other_connectors_;
	std::vector<std::uint32_t> fbs_;
	std::vector<Prop> props_;
	Dumb wb_;
	bool mode_set_ = false;
	std::string error_;
};

} // namespace cenalloc::example
