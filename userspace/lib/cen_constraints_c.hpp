// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cen_constraints_c.hpp - kernel/constraints/ as C++ sees it.  Internal.
//
// The names, reasons and (in the tool) the solver are the kernel module's
// own code, compiled from the same files, so userspace explains decisions
// with the kernel's words.
#pragma once

extern "C" {
#include "cen_constraints.h"
#include "cen_solver.h"
}
