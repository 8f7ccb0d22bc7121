// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/buffer.hpp"

#include <linux/dma-buf.h>

#include <cerrno>
#include <utility>

#include <sys/mman.h>

#include "capture.hpp"
#include "cenalloc/error.hpp"
#include "info_query.hpp"
#include "ioctl.hpp"
#include "mapping_state.hpp"

namespace cenalloc {

namespace {

int protection_of(Access a)
{
	switch (a) {
	case Access::read:
		return PROT_READ;
	case Access::write:
		return PROT_WRITE;
	case Access::read_write:
		return PROT_READ | PROT_WRITE;
	}
	return PROT_NONE;
}

std::uint64_t sync_flags_of(Access a)
{
	switch (a) {
	case Access::read:
		return DMA_BUF_SYNC_READ;
	case Access::write:
		return DMA_BUF_SYNC_WRITE;
	case Access::read_write:
		return DMA_BUF_SYNC_RW;
	}
	return 0;
}

bool within(Access inner, Access outer)
{
	return outer == Access::read_write || inner == outer;
}

int sync(const detail::MappingState &state, std::uint64_t when, Access a)
{
	dma_buf_sync arg{.flags = when | sync_flags_of(a)};

	return detail::call_ioctl(state.fd.get(), DMA_BUF_IOCTL_SYNC, &arg);
}

} // namespace

namespace detail {

MappingState::MappingState(UniqueFd dmabuf,
			   std::shared_ptr<const UniqueFd> dev,
			   std::size_t length, Access prot)
	: fd(std::move(dmabuf)), device(std::move(dev)), size(length),
	  access(prot)
{
	void *p = ::mmap(nullptr, size, protection_of(access), MAP_SHARED,
			 fd.get(), 0);

	if (p == MAP_FAILED) {
		const int err = errno;
		throw Error(err, "mmap dma-buf of " + std::to_string(size) +
					 " bytes",
			    err == EACCES ? "the fd was opened read-only" : "");
	}
	addr = static_cast<std::byte *>(p);
}

MappingState::~MappingState()
{
	::munmap(addr, size);
}

} // namespace detail

Result<Mapping> Buffer::try_map(Access access) const noexcept
{
	if (!fd_.valid())
		return detail::moved_from("Buffer", "map buffer");
	if (size_ > SIZE_MAX)
		return Failure(EFBIG, "map buffer " + std::to_string(id_),
			       "larger than the address space");
	return detail::capture([this, access] {
		auto state = std::make_shared<const detail::MappingState>(
			fd_.try_duplicate().value(), device_,
			static_cast<std::size_t>(size_), access);
		const ByteSpan bytes(state->addr, state->size);

		return Mapping(std::move(state), bytes, access);
	});
}

Result<CpuAccess> Mapping::try_access(Access access) const noexcept
{
	if (!state_)
		return detail::moved_from("Mapping", "begin CPU access");
	if (!within(access, access_))
		return Failure(EINVAL, "begin CPU access",
			       "the mapping does not allow this access");
	if (int err = sync(*state_, DMA_BUF_SYNC_START, access)) {
		// The start is where a buffer first gets memory: say why
		// it could not.
		Result<std::string> why = detail::capture([this] {
			return state_->device ? detail::failure_reason(
							state_->device->get(),
							state_->fd.get())
					      : std::string();
		});
		return Failure(err, "begin CPU access",
			       why ? std::move(*why) : std::string());
	}
	return CpuAccess(state_, bytes_, access);
}

CpuAccess::~CpuAccess()
{
	// Nothing to report to from a destructor; try_end() is for callers
	// who want to know.
	(void)try_end();
}

Result<void> CpuAccess::try_end() noexcept
{
	if (!state_)
		return {};
	const std::shared_ptr<const detail::MappingState> state =
		std::exchange(state_, nullptr);

	bytes_ = {};
	if (int err = sync(*state, DMA_BUF_SYNC_END, access_))
		return Failure(err, "end CPU access");
	return {};
}

} // namespace cenalloc
