// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The name functions with any value, as C callers may pass them. */
#include "cen_constraints.h"

void fuzz_names(unsigned int v);

void fuzz_names(unsigned int v)
{
	if (!cen_source_name(v) || !cen_field_name(v) ||
	    !cen_reason_name(v) || !cen_coherency_name(v))
		__builtin_trap();
}
