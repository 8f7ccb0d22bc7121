// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/buffer_info.hpp"

namespace cenalloc {

const Member *BufferInfo::origin_of(Field f) const
{
	const auto origin = merged.origin(f);

	if (!origin || *origin >= members.size())
		return nullptr;
	return &members[*origin];
}

} // namespace cenalloc
