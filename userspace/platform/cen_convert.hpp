// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cen_convert.hpp - between the library's Constraints and the kernel
// code's struct cen_constraints, for running kernel/constraints/ here.
#pragma once

#include "cenalloc/constraints.hpp"

extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}

#include <string>

namespace cenalloc::platform {

// The set fields with @src (their own source when they have one), the
// rest "any" with no source: a layer for cen_resolve() or a hint.
cen_constraints to_cen(const Constraints &c, cen_source src);
// Every field with a source, as the kernel reports constraints (origins
// CEN_ORIGIN_NONE dropped).
Constraints from_cen(const cen_constraints &c);
// cen_why_format() as a string.
std::string why_text(const cen_why &why);

} // namespace cenalloc::platform
