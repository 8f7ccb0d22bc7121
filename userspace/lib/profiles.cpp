// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "profiles.hpp"

#include <linux/cenalloc.h>

#include <cerrno>
#include <string>

#include "cenalloc/error.hpp"
#include "ioctl.hpp"
#include "uapi_convert.hpp"

namespace cenalloc::detail {

void set_profile(int device, const Profile &profile)
{
	const std::string op = "load profile for " + profile.match.describe();
	cenalloc_profile p = to_uapi(profile.match, op.c_str());

	if (profile.constraints.empty())
		throw Error(EINVAL, op, "the profile sets no constraint");
	p.c = to_uapi(profile.constraints);
	if (int err = call_ioctl(device, CENALLOC_IOC_PROFILE_SET, &p)) {
		std::string why;
		if (err == EPERM)
			why = "loading profiles needs CAP_SYS_ADMIN (root)";
		else if (err == EINVAL)
			why = "the kernel refused the constraints as malformed";
		throw Error(err, op, why);
	}
}

void clear_profile(int device, const DeviceMatch &match)
{
	const std::string op = "clear profile for " + match.describe();
	cenalloc_profile p = to_uapi(match, op.c_str());

	if (int err = call_ioctl(device, CENALLOC_IOC_PROFILE_CLEAR, &p)) {
		std::string why;
		if (err == EPERM)
			why = "clearing profiles needs CAP_SYS_ADMIN (root)";
		else if (err == ENOENT)
			why = "no profile with exactly this match is loaded";
		throw Error(err, op, why);
	}
}

void clear_all_profiles(int device)
{
	auto p = abi_arg<cenalloc_profile>();

	p.flags = CENALLOC_PROFILE_CLEAR_ALL;
	if (int err = call_ioctl(device, CENALLOC_IOC_PROFILE_CLEAR, &p))
		throw Error(err, "clear every profile",
			    err == EPERM ? "clearing profiles needs "
					   "CAP_SYS_ADMIN (root)"
					 : "");
}

} // namespace cenalloc::detail
