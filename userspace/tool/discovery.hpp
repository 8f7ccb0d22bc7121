// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// discovery.hpp - the parts of `cenalloc discover` that need no kernel:
// reading the devices sysfs shows, and writing the platform document
// (docs/profiles.md) from them and from what cenalloc.ko said about them.
// Kept apart from the command so that tests can feed a fake sysfs tree and
// fake INFO members.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cenalloc/backend.hpp"
#include "cenalloc/buffer_info.hpp"
#include "json_reader.hpp"

namespace cenalloc::tool {

// A device as sysfs shows it.
struct SysfsDevice {
	std::string name{};	// dev_name(): "vivid.0", "0000:00:02.0"
	std::string bus{};	// "platform" or "pci"
	std::string driver{};	// bound driver, "" when none
	std::optional<std::string> iommu_group{};
	std::optional<unsigned> dma_mask_bits{};	// PCI only

	// The creation hint that names it: "pci:0000:00:02.0" (the bare
	// name when "bus:name" would not fit the ABI's 63 bytes).
	[[nodiscard]] std::string hint() const;
};

struct SysfsScan {
	std::vector<SysfsDevice> devices{};	// by bus, then name
	std::vector<std::string> notes{};	// devices left out, and why
};

// The platform and PCI devices under @sysfs/bus/*/devices; those with no
// bound driver only when @unbound (a device without a driver does no
// DMA today).  A missing bus directory is no error: it has no devices.
SysfsScan scan_sysfs(const std::filesystem::path &sysfs, bool unbound);

// cenalloc's relax_default parameter, when the module is loaded.
std::optional<bool> read_relax_default(const std::filesystem::path &sysfs);

// One device and, when the kernel resolved it, the INFO member of a
// creation hint naming it (its constraints with their sources).
struct DiscoveredDevice {
	SysfsDevice sysfs{};
	std::optional<Member> kernel{};
};

struct Discovery {
	std::string description{};
	std::uint32_t page_size = 4096;
	std::optional<bool> relax_default{};
	std::vector<DiscoveredDevice> devices{};
	std::vector<Backend> backends{};	// QUERY's; none without the module
};

// A 1920x1080 XRGB8888 frame: the example buffer given to each device.
inline constexpr std::uint64_t kExampleFrame = 1920ULL * 1080 * 4;

// The platform document: each device with the kernel's view of its struct
// device ("struct device" fields) and its driver's declaration, a profile
// for what loaded profiles set, the backends, and one example buffer per
// device so that `cenalloc solve` has something to decide at once.
// Without kernel data a device has what sysfs says (PCI dma_mask_bits,
// an IOMMU group).
platform::Json platform_json(const Discovery &d);

} // namespace cenalloc::tool
