// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// constraints_json.hpp - a constraints object in JSON:
//
//   { "addr_limit": "0xffffffff", "max_segments": 1,
//     "max_seg_size": "64 KiB", "seg_boundary_mask": "0xffffffff",
//     "align": 4096, "iommu": false, "coherency": "uncached" }
//
// Every field is optional; "any" is accepted for the limits.
#pragma once

#include <string>

#include "cenalloc/constraints.hpp"
#include "json_reader.hpp"

namespace cenalloc::platform {

// Read and validate (with the kernel's own validation: power-of-two
// alignment, 2^k-1 boundary masks, ...); InvalidInput names the field.
Constraints read_constraints(const Json &object, const std::string &path);

// The set fields, in the form read_constraints() reads (limits and masks
// as hex strings, "any" for no limit, counts and sizes as numbers).
Json constraints_to_json(const Constraints &c);
// For each set field, the name of its source ("default policy").
Json sources_to_json(const Constraints &c);

} // namespace cenalloc::platform
