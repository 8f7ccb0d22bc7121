// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// camera-to-display: a camera's frames on a display, with no heap chosen.
//
//   camera-to-display [--display-first] [--frames N] [--size WxH]
//                     [--png FILE]
//
// Four frame buffers come from libcenalloc with no hints and no profile.
// Each goes to the display (vkms: DRM PRIME, ADDFB2) and to the camera
// (vivid: V4L2_MEMORY_DMABUF), the camera first unless --display-first:
// the devices attach as they import, and cenalloc backs each buffer so
// that both can use it.  Every captured frame is then shown with an
// atomic commit, and the display's writeback connector proves that what
// it composed is what the camera captured.  The program prints where each
// buffer's memory came from and why; --png writes a contact sheet of
// captured and read-back frames.
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include <cenalloc/cenalloc.hpp>

#include "camera.hpp"
#include "contact_sheet.hpp"
#include "display.hpp"
#include "frame_compare.hpp"

namespace ex = cenalloc::example;

namespace {

constexpr std::uint32_t kBuffers = 4;

struct Options {
	bool display_first = false;
	std::uint32_t frames = 30, width = 1920, height = 1080;
	std::string png;
};

bool parse_number(std::string_view s, std::uint32_t *v)
{
	const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
	return ec == std::errc() && end == s.data() + s.size() && *v;
}

bool parse(int argc, char **argv, Options *o)
{
	for (int i = 1; i < argc; i++) {
		const std::string_view a = argv[i];
		const bool has_value = i + 1 < argc;
		if (a == "--display-first") {
			o->display_first = true;
		} else if (a == "--frames" && has_value) {
			if (!parse_number(argv[++i], &o->frames))
				return false;
		} else if (a == "--size" && has_value) {
			const std::string_view s = argv[++i];
			const auto x = s.find('x');
			if (x == std::string_view::npos || !parse_number(s.substr(0, x), &o->width) ||
			    !parse_number(s.substr(x + 1), &o->height))
				return false;
		} else if (a == "--png" && has_value) {
			o->png = argv[++i];
		} else {
			return false;
		}
	}
	return true;
}

bool write_file(const std::string &path, const std::vector<std::uint8_t> &bytes)
{
	const std::unique_ptr<FILE, int (*)(FILE *)> f(
		std::fopen(path.c_str(), "wb"), std::fclose);
	return f && std::fwrite(bytes.data(), 1, bytes.size(), f.get()) ==
			    bytes.size();
}

[[noreturn]] void die(const std::string &what)
{
	std::cerr << "camera-to-display: " << what << "\n";
	std::exit(EXIT_FAILURE);
}

// Hand @frame to both devices in the chosen order, saying what cenalloc
// decided after each; the display's framebuffer id.
int share(const cenalloc::Buffer &frame, std::uint32_t index,
	  const ex::FrameFormat &fmt, bool display_first, ex::Camera &camera,
	  ex::Display &display)
{
	int fb = 0;
	auto to_camera = [&] {
		if (camera.queue(index, frame.fd(), fmt.size))
			die("camera: " + camera.error() + "; cenalloc: " +
			    frame.info().last_reason);
		std::cout << "buffer " << index << ", camera imported it: "
			  << frame.info().last_reason << "\n";
	};
	auto to_display = [&] {
		fb = display.import(frame.fd(), fmt.pitch);
		if (fb < 0)
			die("display: " + display.error() + "; cenalloc: " +
			    frame.info().last_reason);
		std::cout << "buffer " << index << ", display imported it: "
			  << frame.info().last_reason << "\n";
	};
	if (display_first) {
		to_display();
		to_camera();
	} else {
		to_camera();
		to_display();
	}
	return fb;
}

} // namespace

int main(int argc, char **argv)
{
	Options opt;
	if (!parse(argc, argv, &opt))
		die("usage: camera-to-display [--display-first] [--frames N] "
		    "[--size WxH] [--png FILE]");
	std::string why;
	auto display = ex::Display::open("vkms", &why);
	auto camera = ex::Camera::open("vivid");
	if (!display || !camera)
		die(display ? "no vivid capture device" : why);
	ex::FrameFormat fmt;
	if (camera->set_format(opt.width, opt.height, &fmt) ||
	    camera->request(kBuffers))
		die(camera->error());
	display->set_size(fmt.width, fmt.height);

	try {
		const cenalloc::Allocator alloc;
		std::vector<cenalloc::Buffer> frames;
		std::vector<cenalloc::Mapping> maps;
		std::vector<int> fbs;
		for (std::uint32_t i = 0; i < kBuffers; i++) {
			frames.push_back(alloc.create({.size = fmt.size,
						       .name = "frame"}));
			fbs.push_back(share(frames[i], i, fmt, opt.display_first,
					    *camera, *display));
			maps.push_back(frames[i].map(cenalloc::Access::read));
		}

		ex::ContactSheet sheet(320);
		std::uint32_t verified = 0;
		int shown_before = -1;
		if (camera->stream(true))
			die(camera->error());
		const auto start = std::chrono::steady_clock::now();
		for (std::uint32_t n = 0; n < opt.frames; n++) {
			const int i = camera->dequeue();
			if (i < 0)
				die(camera->error());
			if (display->show(fbs[i]))
				die(display->error());
			const auto cpu = maps[i].access(cenalloc::Access::read);
			const ex::FrameView captured{ex::as_u8(cpu.bytes()),
						     fmt.width, fmt.height,
						     fmt.pitch};
			const ex::FrameView shown{display->readback(), fmt.width,
						  fmt.height,
						  display->readback_pitch()};
			const bool ok = ex::compare_rgb(captured, shown).verified();
			verified += ok;
			if (!opt.png.empty() && n % (opt.frames / 4 + 1) == 0)
				(void)sheet.add(captured, shown, ok);
			// The frame shown before this one is off the screen now.
			if (shown_before >= 0 &&
			    camera->queue(shown_before, frames[shown_before].fd(),
					  fmt.size))
				die(camera->error());
			shown_before = i;
		}
		const std::chrono::duration<double> t =
			std::chrono::steady_clock::now() - start;
		camera->stream(false);
		std::cout << opt.frames << " frames of " << fmt.width << "x"
			  << fmt.height << " shown, " << verified
			  << " read back intact, " << opt.frames / t.count()
			  << " fps\n";
		if (!opt.png.empty() && !write_file(opt.png, sheet.png()))
			die(opt.png + ": " + std::strerror(errno));
		return verified == opt.frames ? EXIT_SUCCESS : EXIT_FAILURE;
	} catch (const cenalloc::Error &e) {
		die(e.what());
	}
}
