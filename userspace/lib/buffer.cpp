// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/buffer.hpp"

#include "capture.hpp"
#include "info_query.hpp"

namespace cenalloc {

Result<BufferInfo> Buffer::try_info() const noexcept
{
	if (!fd_.valid() || !device_)
		return detail::moved_from("Buffer", "buffer info");
	return detail::capture(
		[this] { return detail::info_by_fd(device_->get(), fd_.get()); });
}

} // namespace cenalloc
