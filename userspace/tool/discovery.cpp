// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "discovery.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "cenalloc/allocator.hpp"
#include "constraints_json.hpp"

namespace cenalloc::tool {

namespace fs = std::filesystem;
using platform::Json;

namespace {

// The last component a symlink points to ("vivid" for driver ->
// ../../bus/platform/drivers/vivid); nullopt when there is no link.
std::optional<std::string> link_target_name(const fs::path &link)
{
	std::error_code ec;
	const fs::path target = fs::read_symlink(link, ec);

	if (ec || target.filename().empty())
		return std::nullopt;
	return target.filename().string();
}

std::optional<unsigned> read_unsigned(const fs::path &file)
{
	std::ifstream in(file);
	unsigned v = 0;

	if (in >> v)
		return v;
	return std::nullopt;
}

SysfsDevice read_device(const fs::path &dir, const std::string &bus)
{
	SysfsDevice d{.name = dir.filename().string(), .bus = bus};

	d.driver = link_target_name(dir / "driver").value_or("");
	d.iommu_group = link_target_name(dir / "iommu_group");
	if (bus == "pci")
		d.dma_mask_bits = read_unsigned(dir / "dma_mask_bits");
	return d;
}

// The reader refuses names the ABI cannot carry: leave such devices out
// (or their driver's name) and say so.
bool fits_abi(SysfsDevice &d, std::vector<std::string> &notes)
{
	if (d.name.size() > kMaxDeviceLength) {
		notes.push_back(d.bus + ":" + d.name + ": left out, its name " +
				"is longer than " +
				std::to_string(kMaxDeviceLength) + " bytes");
		return false;
	}
	if (d.driver.size() > kMaxNameLength) {
		notes.push_back(d.hint() + ": driver name " + d.driver +
				" left out, longer than " +
				std::to_string(kMaxNameLength) + " bytes");
		d.driver.clear();
	}
	return true;
}

} // namespace

std::string SysfsDevice::hint() const
{
	const std::string full = bus + ":" + name;

	return full.size() <= kMaxDeviceLength ? full : name;
}

SysfsScan scan_sysfs(const fs::path &sysfs, bool unbound)
{
	SysfsScan scan;

	for (const std::string bus : {"platform", "pci"}) {
		std::vector<SysfsDevice> found;
		std::error_code ec;
		for (const auto &e :
		     fs::directory_iterator(sysfs / "bus" / bus / "devices", ec)) {
			SysfsDevice d = read_device(e.path(), bus);
			if ((unbound || !d.driver.empty()) &&
			    fits_abi(d, scan.notes))
				found.push_back(std::move(d));
		}
		std::ranges::sort(found, {}, &SysfsDevice::name);
		scan.devices.insert(scan.devices.end(), found.begin(),
				    found.end());
	}
	return scan;
}

std::optional<bool> read_relax_default(const fs::path &sysfs)
{
	std::ifstream in(sysfs / "module/cenalloc/parameters/relax_default");
	char c = 0;

	if (!(in >> c))
		return std::nullopt;
	return c == 'Y' || c == 'y' || c == '1';
}

} // namespace cenalloc::tool
