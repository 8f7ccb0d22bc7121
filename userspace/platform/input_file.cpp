// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "input_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "invalid_input.hpp"
#include "printable.hpp"

namespace cenalloc::platform {

namespace {

// A path may be long; longer than this it is not a path.
constexpr std::size_t kMaxLabelBytes = 4096;

std::string reason(int err)
{
	return std::generic_category().message(err);
}

// The descriptor of @name, closed when done (standard input is borrowed,
// not closed).
class InputFd {
public:
	explicit InputFd(std::string_view name)
		: fd_(name == kStdinName
			      ? STDIN_FILENO
			      : ::open(std::string(name).c_str(),
				       O_RDONLY | O_CLOEXEC | O_NOCTTY)),
		  owned_(name != kStdinName)
	{
	}
	InputFd(const InputFd &) = delete;
	InputFd &operator=(const InputFd &) = delete;
	InputFd(InputFd &&) = delete;
	InputFd &operator=(InputFd &&) = delete;
	~InputFd()
	{
		if (owned_ && fd_ >= 0)
			::close(fd_);
	}
	[[nodiscard]] int get() const noexcept { return fd_; }

private:
	int fd_;
	bool owned_;
};

// Up to kMaxDocumentBytes + 1 bytes of @fd: one more than allowed tells
// that there is too much, without reading the rest.
std::string read_bounded(int fd, const std::string &label)
{
	std::string text;
	std::array<char, 65536> buf{};

	while (text.size() <= kMaxDocumentBytes) {
		const std::size_t want = std::min(
			buf.size(), kMaxDocumentBytes + 1 - text.size());
		const ssize_t n = ::read(fd, buf.data(), want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw InvalidInput(label, "cannot be read: " +
							  reason(errno));
		if (n == 0)
			break;
		text.append(buf.data(), static_cast<std::size_t>(n));
	}
	return text;
}

} // namespace

std::string input_label(std::string_view name)
{
	return name == kStdinName ? "<stdin>"
				  : printable(name, kMaxLabelBytes);
}

std::string read_input(std::string_view name)
{
	const std::string label = input_label(name);
	const InputFd fd(name);
	struct stat st {};

	if (fd.get() < 0)
		throw InvalidInput(label, "cannot be opened: " + reason(errno));
	if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode))
		throw InvalidInput(label, "is a directory, not a file");
	std::string text = read_bounded(fd.get(), label);
	if (text.size() > kMaxDocumentBytes)
		throw InvalidInput(label,
				   "is larger than 1 MiB (" +
					   std::to_string(kMaxDocumentBytes) +
					   " bytes), the most a document may "
					   "hold");
	return text;
}

} // namespace cenalloc::platform
