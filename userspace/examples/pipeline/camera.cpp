// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "camera.hpp"
#include "ioctl.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace cenalloc::example {

using detail::xioctl;

namespace {

std::uint32_t v4l2_memory(Camera::Memory m)
{
	return m == Camera::Memory::own ? V4L2_MEMORY_MMAP : V4L2_MEMORY_DMABUF;
}

// The driver name V4L2 reports, as a string.
std::string driver_of(const v4l2_capability &cap)
{
	const auto *end = std::find(std::begin(cap.driver), std::end(cap.driver), 0);
	return {std::begin(cap.driver), end};
}

} // namespace


std::optional<Camera> Camera::open(const std::string &driver)
{
	for (int n = 0; n < 64; n++) {
		const std::string path = "/dev/video" + std::to_string(n);
		const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v4l2_capability cap{};
		if (!xioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    driver == driver_of(cap) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return Camera(fd, path);
		::close(fd);
	}
	return std::nullopt;
}

Camera::Camera(Camera &&other) noexcept
	: fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)),
	  error_(std::move(other.error_)),
	  streaming_(std::exchange(other.streaming_, false)),
	  memory_(other.memory_)
{
}

Camera &Camera::operator=(Camera &&other) noexcept
{
	if (this != &other) {
		Camera old(std::move(*this));	// released at the end
		fd_ = std::exchange(other.fd_, -1);
		path_ = std::move(other.path_);
		error_ = std::move(other.error_);
		streaming_ = std::exchange(other.streaming_, false);
		memory_ = other.memory_;
	}
	return *this;
}

Camera::~Camera()
{
	if (fd_ < 0)
		return;
	// Give every dma-buf back before closing: the driver detaches then.
	if (streaming_)
		stream(false);
	request(0, memory_);
	::close(fd_);
}

int Camera::fail(const char *what)
{
	const int err = errno;
	error_ = std::string(what) + ": " + std::strerror(err);
	return -err;
}

int Camera::set_format(std::uint32_t width, std::uint32_t height,
		       FrameFormat *fmt)
{
	int input = 0;	// vivid's webcam input offers every size
	if (xioctl(fd_, VIDIOC_S_INPUT, &input))
		return fail("VIDIOC_S_INPUT");
	v4l2_format f{};
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.width = width;
	f.fmt.pix.height = height;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd_, VIDIOC_S_FMT, &f))
		return fail("VIDIOC_S_FMT");
	if (f.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32) {
		errno = EINVAL;
		return fail("VIDIOC_S_FMT: no XBGR32");
	}
	*fmt = {f.fmt.pix.width, f.fmt.pix.height, f.fmt.pix.bytesperline,
		f.fmt.pix.sizeimage};
	return 0;
}

int Camera::request(std::uint32_t count, Memory memory)
{
	v4l2_requestbuffers r{};
	r.count = count;
	r.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	r.memory = v4l2_memory(memory);
	if (xioctl(fd_, VIDIOC_REQBUFS, &r))
		return fail("VIDIOC_REQBUFS");
	if (count && r.count != count) {
		errno = ENOMEM;
		return fail("VIDIOC_REQBUFS: fewer buffers");
	}
	memory_ = memory;
	return 0;
}

int Camera::export_buffer(std::uint32_t index)
{
	v4l2_exportbuffer e{};
	e.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	e.index = index;
	e.flags = O_RDWR | O_CLOEXEC;
	return xioctl(fd_, VIDIOC_EXPBUF, &e) ? fail("VIDIOC_EXPBUF") : e.fd;
}

int Camera::queue(std::uint32_t index, int fd, std::uint32_t len)
{
	v4l2_buffer b{};
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = v4l2_memory(memory_);
	b.index = index;
	if (memory_ == Memory::dmabuf) {
		b.m.fd = fd;
		b.length = len;
	}
	return xioctl(fd_, VIDIOC_QBUF, &b) ? fail("VIDIOC_QBUF") : 0;
}

int Camera::dequeue(int timeout_ms)
{
	pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
	const int n = ::poll(&p, 1, timeout_ms);
	if (n <= 0) {
		errno = n ? errno : ETIMEDOUT;
		return fail("poll");
	}
	v4l2_buffer b{};
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = v4l2_memory(memory_);
	if (xioctl(fd_, VIDIOC_DQBUF, &b))
		return fail("VIDIOC_DQBUF");
	return static_cast<int>(b.index);
}

int Camera::stream(bool on)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(fd_, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type))
		return fail(on ? "VIDIOC_STREAMON" : "VIDIOC_STREAMOFF");
	streaming_ = on;
	return 0;
}

} // namespace cenalloc::example
