// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "display.hpp"
#include "ioctl.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace cenalloc::example {

using detail::xioctl;

namespace {

// The "type" property's value of a primary plane (the kernel's enum
// drm_plane_type, which the uapi headers do not carry).
constexpr std::uint64_t kPrimaryPlane = 1;


// A card's driver name ("vkms"), empty when it has none.
std::string driver_name(int fd)
{
	char name[64] = {};
	drm_version v{};
	v.name = name;
	v.name_len = sizeof(name) - 1;
	return xioctl(fd, DRM_IOCTL_VERSION, &v) ? std::string() : name;
}

// A mode of @w x @h at 60 Hz with short blanking (CVT reduced blanking's
// proportions); vkms composes at whatever timing it is given.
drm_mode_modeinfo make_mode(std::uint32_t w, std::uint32_t h)
{
	drm_mode_modeinfo m{};
	m.hdisplay = static_cast<std::uint16_t>(w);
	m.hsync_start = static_cast<std::uint16_t>(w + 48);
	m.hsync_end = static_cast<std::uint16_t>(w + 80);
	m.htotal = static_cast<std::uint16_t>(w + 160);
	m.vdisplay = static_cast<std::uint16_t>(h);
	m.vsync_start = static_cast<std::uint16_t>(h + 3);
	m.vsync_end = static_cast<std::uint16_t>(h + 8);
	m.vtotal = static_cast<std::uint16_t>(h + 31);
	m.vrefresh = 60;
	m.clock = static_cast<std::uint32_t>(
		std::uint64_t{m.htotal} * m.vtotal * 60 / 1000);
	m.type = DRM_MODE_TYPE_USERDEF;
	(void)std::snprintf(m.name, sizeof(m.name), "%ux%u", w, h);
	return m;
}

// Wait until @fence signals: 0, or -ETIMEDOUT after 5 s (a composition
// takes well under a second even on an emulated CPU).
int wait_fence(int fence)
{
	if (fence < 0)
		return -EINVAL;
	pollfd p{.fd = fence, .events = POLLIN, .revents = 0};
	const int n = ::poll(&p, 1, 5000);
	return n > 0 ? 0 : n == 0 ? -ETIMEDOUT : -errno;
}

} // namespace

std::optional<Display> Display::open(const std::string &driver,
				     std::string *why)
{
	*why = "no /dev/dri/card* of " + driver;
	for (int n = 0; n < 16; n++) {
		const std::string path = "/dev/dri/card" + std::to_string(n);
		const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (driver_name(fd) != driver) {
			::close(fd);
			continue;
		}
		Display d(fd);
		if (!d.find_pipe())
			return d;
		*why = path + ": " + d.error();
	}
	return std::nullopt;
}

Display::Display(int fd) : fd_(fd) {}

Display::Display(Display &&o) noexcept
	: fd_(std::exchange(o.fd_, -1)), width_(o.width_), height_(o.height_),
	  crtc_(o.crtc_), plane_(o.plane_), writeback_(o.writeback_),
	  mode_blob_(std::exchange(o.mode_blob_, 0)),
	  other_connectors_(std::move(o.other_connectors_)),
	  fbs_(std::move(o.fbs_)), props_(std::move(o.props_)),
	  wb_(std::exchange(o.wb_, {})), mode_set_(o.mode_set_),
	  error_(std::move(o.error_))
{
}

Display::~Display()
{
	if (fd_ < 0)
		return;
	// Closing the card removes this client's framebuffers and turns off
	// what they were shown on, which lets go of every imported dma-buf.
	if (wb_.map)
		::munmap(wb_.map, wb_.size);
	::close(fd_);
}

int Display::fail(const char *what, int err)
{
	error_ = std::string(what) + ": " + std::strerror(-err);
	return err;
}

void Display::set_size(std::uint32_t width, std::uint32_t height)
{
	width_ = width;
	height_ = height;
}

// The id of property @name of @object (of DRM_MODE_OBJECT_* @type), 0
// when it has none.  Looked up once per object and name.
std::uint32_t Display::prop(std::uint32_t object, std::uint32_t type,
			    const char *name)
{
	for (const Prop &p : props_)
		if (p.object == object && p.name == name)
			return p.id;
	drm_mode_obj_get_properties op{};
	op.obj_id = object;
	op.obj_type = type;
	if (xioctl(fd_, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op))
		return 0;
	std::vector<std::uint32_t> ids(op.count_props);
	std::vector<std::uint64_t> values(op.count_props);
	op.props_ptr = detail::uapi_ptr(ids.data());
	op.prop_values_ptr = detail::uapi_ptr(values.data());
	if (xioctl(fd_, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op))
		return 0;
	for (std::uint32_t id : ids) {
		drm_mode_get_property gp{};
		gp.prop_id = id;
		if (!xioctl(fd_, DRM_IOCTL_MODE_GETPROPERTY, &gp) &&
		    !std::strcmp(gp.name, name)) {
			props_.push_back({object, name, id});
			return id;
		}
	}
	return 0;
}

// The first CRTC, a primary plane that can drive it, its writeback
// connector and the other connectors (to take off the CRTC).
int Display::find_pipe()
{
	for (std::uint64_t cap : {DRM_CLIENT_CAP_UNIVERSAL_PLANES,
				  DRM_CLIENT_CAP_ATOMIC,
				  DRM_CLIENT_CAP_WRITEBACK_CONNECTORS}) {
		drm_set_client_cap c{.capability = cap, .value = 1};
		if (int r = xioctl(fd_, DRM_IOCTL_SET_CLIENT_CAP, &c))
			return fail("DRM_IOCTL_SET_CLIENT_CAP", r);
	}
	drm_mode_card_res res{};
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return fail("DRM_IOCTL_MODE_GETRESOURCES", r);
	std::vector<std::uint32_t> crtcs(res.count_crtcs);
	std::vector<std::uint32_t> conns(res.count_connectors);
	drm_mode_card_res ids{};
	ids.count_crtcs = res.count_crtcs;
	ids.count_connectors = res.count_connectors;
	ids.crtc_id_ptr = detail::uapi_ptr(crtcs.data());
	ids.connector_id_ptr = detail::uapi_ptr(conns.data());
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_GETRESOURCES, &ids))
		return fail("DRM_IOCTL_MODE_GETRESOURCES", r);
	if (crtcs.empty())
		return fail("no CRTC", -ENODEV);
	crtc_ = crtcs[0];
	for (std::uint32_t id : conns) {
		drm_mode_get_connector c{};
		c.connector_id = id;
		if (xioctl(fd_, DRM_IOCTL_MODE_GETCONNECTOR, &c))
			continue;
		if (c.connector_type == DRM_MODE_CONNECTOR_WRITEBACK && !writeback_)
			writeback_ = id;
		else
			other_connectors_.push_back(id);
	}
	if (!writeback_)
		return fail("no writeback connector", -ENODEV);

	drm_mode_get_plane_res pr{};
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_GETPLANERESOURCES, &pr))
		return fail("DRM_IOCTL_MODE_GETPLANERESOURCES", r);
	std::vector<std::uint32_t> planes(pr.count_planes);
	pr.plane_id_ptr = detail::uapi_ptr(planes.data());
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_GETPLANERESOURCES, &pr))
		return fail("DRM_IOCTL_MODE_GETPLANERESOURCES", r);
	for (std::uint32_t id : planes) {
		drm_mode_get_plane gp{};
		gp.plane_id = id;
		if (xioctl(fd_, DRM_IOCTL_MODE_GETPLANE, &gp) ||
		    !(gp.possible_crtcs & 1))
			continue;
		const std::uint32_t type = prop(id, DRM_MODE_OBJECT_PLANE, "type");
		drm_mode_obj_get_properties op{};
		op.obj_id = id;
		op.obj_type = DRM_MODE_OBJECT_PLANE;
		std::vector<std::uint32_t> pids(32);
		std::vector<std::uint64_t> vals(32);
		op.count_props = 32;
		op.props_ptr = detail::uapi_ptr(pids.data());
		op.prop_values_ptr = detail::uapi_ptr(vals.data());
		if (!type || xioctl(fd_, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op))
			continue;
		for (std::uint32_t k = 0; k < op.count_props && k < 32; k++)
			if (pids[k] == type && vals[k] == kPrimaryPlane)
				plane_ = id;
		if (plane_)
			break;
	}
	return plane_ ? 0 : fail("no primary plane for the CRTC", -ENODEV);
}

int Display::import(int fd, std::uint32_t pitch)
{
	drm_prime_handle ph{.handle = 0, .flags = 0, .fd = fd};
	if (int r = xioctl(fd_, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return fail("DRM_IOCTL_PRIME_FD_TO_HANDLE", r);
	drm_mode_fb_cmd2 fb{};
	fb.width = width_;
	fb.height = height_;
	fb.pixel_format = DRM_FORMAT_XRGB8888;
	fb.handles[0] = ph.handle;
	fb.pitches[0] = pitch;
	const int r = xioctl(fd_, DRM_IOCTL_MODE_ADDFB2, &fb);
	// The framebuffer holds the object; the handle is not needed.
	drm_gem_close gc{.handle = ph.handle, .pad = 0};
	xioctl(fd_, DRM_IOCTL_GEM_CLOSE, &gc);
	if (r)
		return fail("DRM_IOCTL_MODE_ADDFB2", r);
	fbs_.push_back(fb.fb_id);
	return static_cast<int>(fb.fb_id);
}

// A dumb buffer of the mode's size for the writeback connector to fill,
// mapped for reading.
int Display::make_writeback_buffer()
{
	drm_mode_create_dumb cd{};
	cd.width = width_;
	cd.height = height_;
	cd.bpp = 32;
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return fail("DRM_IOCTL_MODE_CREATE_DUMB", r);
	wb_.handle = cd.handle;
	wb_.pitch = cd.pitch;
	wb_.size = cd.size;
	drm_mode_fb_cmd2 fb{};
	fb.width = width_;
	fb.height = height_;
	fb.pixel_format = DRM_FORMAT_XRGB8888;
	fb.handles[0] = cd.handle;
	fb.pitches[0] = cd.pitch;
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_ADDFB2, &fb))
		return fail("DRM_IOCTL_MODE_ADDFB2 (writeback)", r);
	wb_.fb = fb.fb_id;
	drm_mode_map_dumb md{};
	md.handle = cd.handle;
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_MAP_DUMB, &md))
		return fail("DRM_IOCTL_MODE_MAP_DUMB", r);
	void *m = ::mmap(nullptr, cd.size, PROT_READ, MAP_SHARED, fd_,
			 static_cast<off_t>(md.offset));
	if (m == MAP_FAILED)
		return fail("mmap (writeback)", -errno);
	wb_.map = m;
	return 0;
}

// One atomic commit: @fb on the primary plane, the writeback connector on
// the CRTC, and with @fence the writeback buffer for it to fill
// (*@fence becomes the writeback's out-fence); with @modeset also the
// mode, the CRTC on, and every other connector off it.
int Display::commit(int fb, bool modeset, int *fence)
{
	std::vector<std::uint32_t> objs;
	std::vector<std::uint32_t> counts;
	std::vector<std::uint32_t> props;
	std::vector<std::uint64_t> values;
	auto add = [&](std::uint32_t obj, std::uint32_t type,
		       std::initializer_list<std::pair<const char *, std::uint64_t>> kv) {
		objs.push_back(obj);
		counts.push_back(static_cast<std::uint32_t>(kv.size()));
		for (const auto &[name, v] : kv) {
			props.push_back(prop(obj, type, name));
			values.push_back(v);
		}
	};
	if (modeset) {
		add(crtc_, DRM_MODE_OBJECT_CRTC, {{"MODE_ID", mode_blob_}, {"ACTIVE", 1}});
		for (std::uint32_t c : other_connectors_)
			add(c, DRM_MODE_OBJECT_CONNECTOR, {{"CRTC_ID", 0}});
	}
	const std::uint64_t w = width_;
	const std::uint64_t h = height_;
	add(plane_, DRM_MODE_OBJECT_PLANE,
	    {{"FB_ID", static_cast<std::uint64_t>(fb)}, {"CRTC_ID", crtc_},
	     {"SRC_X", 0}, {"SRC_Y", 0}, {"SRC_W", w << 16}, {"SRC_H", h << 16},
	     {"CRTC_X", 0}, {"CRTC_Y", 0}, {"CRTC_W", w}, {"CRTC_H", h}});
	if (fence)
		add(writeback_, DRM_MODE_OBJECT_CONNECTOR,
		    {{"CRTC_ID", crtc_}, {"WRITEBACK_FB_ID", wb_.fb},
		     {"WRITEBACK_OUT_FENCE_PTR", detail::uapi_ptr(fence)}});
	else
		add(writeback_, DRM_MODE_OBJECT_CONNECTOR, {{"CRTC_ID", crtc_}});
	for (std::uint32_t id : props)
		if (!id)
			return fail("a KMS property is missing", -ENOTSUP);
	drm_mode_atomic a{};
	a.flags = modeset ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0;
	a.count_objs = static_cast<std::uint32_t>(objs.size());
	a.objs_ptr = detail::uapi_ptr(objs.data());
	a.count_props_ptr = detail::uapi_ptr(counts.data());
	a.props_ptr = detail::uapi_ptr(props.data());
	a.prop_values_ptr = detail::uapi_ptr(values.data());
	return xioctl(fd_, DRM_IOCTL_MODE_ATOMIC, &a);
}

// The mode, and @fb shown, by a commit of its own without a writeback
// job: the first job then finds the CRTC running.
int Display::set_mode(int fb)
{
	if (!width_ || !height_)
		return fail("set_size() first", -EINVAL);
	drm_mode_modeinfo mode = make_mode(width_, height_);
	drm_mode_create_blob b{};
	b.data = detail::uapi_ptr(&mode);
	b.length = sizeof(mode);
	if (int r = xioctl(fd_, DRM_IOCTL_MODE_CREATEPROPBLOB, &b))
		return fail("DRM_IOCTL_MODE_CREATEPROPBLOB", r);
	mode_blob_ = b.blob_id;
	if (int r = make_writeback_buffer())
		return r;
	if (int r = commit(fb, true, nullptr))
		return fail("DRM_IOCTL_MODE_ATOMIC (mode)", r);
	mode_set_ = true;
	hold_vblank();
	wait_vblank();
	return 0;
}

// Keep the CRTC's vblank on while this client shows frames: an event
// asked for 2^30 vblanks ahead holds a reference until the card is
// closed.  vkms before 7.x cancels its vblank timer with the vblank
// locks held when the core turns the vblank off, which deadlocks with a
// timer callback running on another CPU (a silent hang under an emulated
// CPU, where callbacks are slow); with the vblank on that never happens.
void Display::hold_vblank() const
{
	drm_wait_vblank vb{};
	vb.request.type = static_cast<drm_vblank_seq_type>(
		_DRM_VBLANK_RELATIVE | _DRM_VBLANK_EVENT);
	vb.request.sequence = 1U << 30;
	(void)xioctl(fd_, DRM_IOCTL_WAIT_VBLANK, &vb);
}

int Display::show(int fb)
{
	if (!mode_set_)
		if (int r = set_mode(fb))
			return r;
	int fence = -1;
	if (int r = commit(fb, false, &fence))
		return fail("DRM_IOCTL_MODE_ATOMIC", r);
	// The writeback is done when its fence signals.
	const int r = wait_fence(fence);
	if (fence >= 0)
		::close(fence);
	if (r)
		return fail("writeback", r);
	// A vblank lets vkms clean up the job before the next commit.
	wait_vblank();
	return 0;
}

void Display::wait_vblank() const
{
	drm_wait_vblank vb{};
	vb.request.type = _DRM_VBLANK_RELATIVE;
	vb.request.sequence = 1;
	(void)xioctl(fd_, DRM_IOCTL_WAIT_VBLANK, &vb);
}

std::span<const std::uint8_t> Display::readback() const
{
	if (!wb_.map)
		return {};
	return {static_cast<const std::uint8_t *>(wb_.map), wb_.size};
}

} // namespace cenalloc::example
