// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// run_process.hpp - run a program, capture its output and exit status.
// For the tests of the cenalloc tool, on the host and inside the test VM
// (header-only: the VM's static test programs include it too).
#pragma once

#include <array>
#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cen_test {

struct ProcessResult {
	int status = -1;	// exit status, or 128 + signal
	std::string out;
	std::string err;
};

struct RunOptions {
	// Descriptors the program inherits (close-on-exec cleared in it).
	std::vector<int> inherit_fds{};
	// Drop to this uid before exec (tests of "needs root").
	std::optional<uid_t> uid{};
};

namespace detail {

// Both ends of a pipe, closed when done.
class Pipe {
public:
	Pipe()
	{
		if (::pipe2(fds_.data(), O_CLOEXEC))
			throw std::system_error(errno, std::generic_category(),
						"pipe2");
	}
	Pipe(const Pipe &) = delete;
	Pipe &operator=(const Pipe &) = delete;
	~Pipe()
	{
		close_read();
		close_write();
	}
	int read_end() const { return fds_[0]; }
	int write_end() const { return fds_[1]; }
	void close_read() { close_fd(fds_[0]); }
	void close_write() { close_fd(fds_[1]); }

private:
	static void close_fd(int &fd)
	{
		if (fd >= 0)
			::close(std::exchange(fd, -1));
	}
	std::array<int, 2> fds_{-1, -1};
};

[[noreturn]] inline void exec_child(const std::vector<std::string> &argv,
				    const RunOptions &opts, int out, int err)
{
	std::vector<char *> args;

	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	if (::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0)
		::_exit(126);
	for (int fd : opts.inherit_fds)
		if (::fcntl(fd, F_SETFD, 0) < 0)
			::_exit(126);
	if (opts.uid && (::setgid(*opts.uid) || ::setuid(*opts.uid)))
		::_exit(126);
	::execv(args[0], args.data());
	::_exit(127);
}

} // namespace detail

inline ProcessResult run_process(const std::vector<std::string> &argv,
				 const RunOptions &opts = {})
{
	detail::Pipe out, err;
	const pid_t pid = ::fork();

	if (pid < 0)
		throw std::system_error(errno, std::generic_category(), "fork");
	if (pid == 0)
		detail::exec_child(argv, opts, out.write_end(), err.write_end());
	out.close_write();
	err.close_write();

	ProcessResult r;
	std::array<pollfd, 2> fds{{{out.read_end(), POLLIN, 0},
				   {err.read_end(), POLLIN, 0}}};
	std::array<std::string *, 2> sinks{&r.out, &r.err};
	int open_ends = 2;
	while (open_ends > 0) {
		if (::poll(fds.data(), fds.size(), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (std::size_t i = 0; i < fds.size(); i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			std::array<char, 4096> buf{};
			const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
			if (n > 0) {
				sinks[i]->append(buf.data(),
						 static_cast<std::size_t>(n));
			} else if (n == 0 || errno != EINTR) {
				fds[i].fd = -1;
				open_ends--;
			}
		}
	}
	int wstatus = 0;
	while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
				      : 128 + WTERMSIG(wstatus);
	return r;
}

} // namespace cen_test
