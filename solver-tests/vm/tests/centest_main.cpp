// SPDX-License-Identifier: GPL-2.0
//
// centest_main.cpp - main() of every in-VM test program.
//
// Runs GoogleTest and prints one machine-readable line per test:
//
//   CENTEST <program>/<Suite.Test> PASS|FAIL|SKIP <detail>
//
// on stdout and, if the environment names one in CENTEST_OUT, on the
// results channel the VM harness reads (the guest's second serial port).
// <program> is $CENTEST_LABEL when the harness sets it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string one_line(std::string s, size_t max = 200)
{
	for (char &c : s)
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
	if (s.size() > max)
		s = s.substr(0, max) + "...";
	return s;
}

class CentestPrinter : public testing::EmptyTestEventListener {
public:
	explicit CentestPrinter(std::string prog) : prog_(std::move(prog))
	{
		if (const char *p = std::getenv("CENTEST_OUT"); p && *p)
			out_ = std::fopen(p, "a");
	}
	~CentestPrinter() override
	{
		if (out_)
			std::fclose(out_);
	}

	void OnTestPartResult(const testing::TestPartResult &r) override
	{
		if (r.failed() && detail_.empty()) {
			detail_ = std::string(r.file_name() ? r.file_name() : "?") +
				  ":" + std::to_string(r.line_number()) + ": " +
				  r.summary();
		} else if (r.skipped() && detail_.empty()) {
			detail_ = r.message();
		}
	}

	void OnTestStart(const testing::TestInfo &) override { detail_.clear(); }

	void OnTestEnd(const testing::TestInfo &t) override
	{
		const testing::TestResult *r = t.result();
		const char *verdict = r->Failed() ? "FAIL" :
				      r->Skipped() ? "SKIP" : "PASS";
		std::string line = "CENTEST " + prog_ + "/" + t.test_suite_name() +
				   "." + t.name() + " " + verdict;
		if (!detail_.empty())
			line += " " + one_line(detail_);
		else
			line += " " + std::to_string(r->elapsed_time()) + "ms";
		line += "\n";
		std::fputs(line.c_str(), stdout);
		std::fflush(stdout);
		if (out_) {
			std::fputs(line.c_str(), out_);
			std::fflush(out_);
		}
	}

private:
	std::string prog_;
	std::string detail_;
	FILE *out_ = nullptr;
};

} // namespace

int main(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);
	// The harness names each run (a program may run twice with other
	// arguments); otherwise the program's name.
	std::string prog = argc > 0 ? argv[0] : "test";
	if (auto slash = prog.rfind('/'); slash != std::string::npos)
		prog = prog.substr(slash + 1);
	if (const char *label = std::getenv("CENTEST_LABEL"); label && *label)
		prog = label;
	testing::UnitTest::GetInstance()->listeners().Append(
		new CentestPrinter(prog));
	return RUN_ALL_TESTS();
}
