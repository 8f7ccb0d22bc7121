// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cenalloc/buffer.hpp"

#include <linux/dma-buf.h>

#include <cerrno>
#include <utility>

#include <sys/mman.h>

#include "cenalloc/error.hpp"
#include "info_query.hpp"
#include "ioctl.hpp"

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

} // namespace

void Mapping::Unmap::operator()(std::byte *addr) const noexcept
{
	::munmap(addr, size);
}

Mapping::Mapping(UniqueFd fd, std::shared_ptr<const UniqueFd> device,
		 std::size_t size, Access access)
	: fd_(std::move(fd)), device_(std::move(device)), size_(size),
	  access_(access), addr_(nullptr, Unmap{size})
{
	void *addr = ::mmap(nullptr, size, protection_of(access), MAP_SHARED,
			    fd_.get(), 0);

	if (addr == MAP_FAILED) {
		const int err = errno;
		throw Error(err, "mmap dma-buf of " + std::to_string(size) +
					 " bytes",
			    err == EACCES ? "the fd was opened read-only"
					  : "");
	}
	addr_.reset(static_cast<std::byte *>(addr));
}

CpuAccess::CpuAccess(const Mapping &mapping, Access access)
	: mapping_(mapping), access_(access)
{
	if (!within(access, mapping.access_))
		throw Error(EINVAL, "begin CPU access",
			    "the mapping does not allow this access");
	dma_buf_sync sync{.flags = DMA_BUF_SYNC_START | sync_flags_of(access)};
	if (int err = detail::call_ioctl(mapping.fd_.get(), DMA_BUF_IOCTL_SYNC,
					 &sync)) {
		// The start is where a buffer first gets memory: say why
		// it could not.
		throw Error(err, "begin CPU access",
			    mapping.device_ ? detail::failure_reason(
						      mapping.device_->get(),
						      mapping.fd_.get())
					    : "");
	}
}

CpuAccess::~CpuAccess()
{
	if (!active_)
		return;
	dma_buf_sync sync{.flags = DMA_BUF_SYNC_END | sync_flags_of(access_)};
	// Nothing to report to from a destructor; end() is for callers
	// who want to know.
	(void)detail::call_ioctl(mapping_.fd_.get(), DMA_BUF_IOCTL_SYNC, &sync);
}

std::span<std::byte> CpuAccess::bytes() const noexcept
{
	return mapping_.bytes();
}

void CpuAccess::end()
{
	if (!active_)
		return;
	active_ = false;
	dma_buf_sync sync{.flags = DMA_BUF_SYNC_END | sync_flags_of(access_)};
	if (int err = detail::call_ioctl(mapping_.fd_.get(), DMA_BUF_IOCTL_SYNC,
					 &sync))
		throw Error(err, "end CPU access");
}

} // namespace cenalloc
