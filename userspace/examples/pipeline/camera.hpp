// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A V4L2 capture device that fills dma-bufs the application brings
// (V4L2_MEMORY_DMABUF): the camera half of the camera-to-display pipeline.
// Errors are returned, never thrown: 0 or -errno, with error() saying
// which call failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cenalloc::example {

struct FrameFormat {
	std::uint32_t width = 0, height = 0;
	std::uint32_t pitch = 0;	// bytes per line
	std::uint32_t size = 0;		// bytes per frame
};

class Camera {
public:
	// Who allocates the frames: the application (dma-bufs it queues) or
	// the driver (its own buffers, which export_buffer() shares).
	enum class Memory { dmabuf, own };

	// The first capture node whose driver is @driver (e.g. "vivid").
	static std::optional<Camera> open(const std::string &driver);

	Camera(Camera &&other) noexcept;
	Camera &operator=(Camera &&other) noexcept;
	Camera(const Camera &) = delete;
	Camera &operator=(const Camera &) = delete;
	~Camera();

	// XRGB8888 as DRM names it (V4L2's XBGR32: B, G, R, X in memory) at
	// @width x @height; the driver's answer in @fmt.
	int set_format(std::uint32_t width, std::uint32_t height,
		       FrameFormat *fmt);
	// @count buffers, brought by the application as dma-bufs or
	// allocated by the driver; 0 frees them.
	int request(std::uint32_t count, Memory memory = Memory::dmabuf);
	// A dma-buf of the driver's own buffer @index (VIDIOC_EXPBUF), or
	// -errno.
	int export_buffer(std::uint32_t index);
	// Hand buffer @index to the driver; with Memory::dmabuf it is dma-buf
	// @fd of @len bytes, and this is where the driver attaches and maps
	// it.
	int queue(std::uint32_t index, int fd, std::uint32_t len);
	// The index of the next filled buffer, or -errno (-ETIMEDOUT after
	// @timeout_ms).
	int dequeue(int timeout_ms = 10000);
	int stream(bool on);

	const std::string &path() const { return path_; }
	const std::string &error() const { return error_; }

private:
	Camera(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
	int fail(const char *what);

	int fd_ = -1;
	std::string path_;
	std::string error_;
	bool streaming_ = false;
	Memory memory_ = Memory::dmabuf;
};

} // namespace cenalloc::example
