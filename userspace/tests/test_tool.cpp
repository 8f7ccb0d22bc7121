// SPDX-License-Identifier: GPL-2.0 OR MIT
// The cenalloc command, run as a user runs it (no module on the build
// host: the kernel paths are in the VM tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "document.hpp"
#include "json_reader.hpp"
#include "run_process.hpp"
#include "temp_file.hpp"
#include "what_if.hpp"

using namespace cenalloc;
using namespace cenalloc::platform;
using cen_test::ProcessResult;

namespace {

const std::string kTool = CEN_TOOL_PATH;
const std::string kProfiles = CEN_PROFILES_DIR;
const std::string kNoDevice = "--device=/nonexistent/cenalloc";

ProcessResult tool(std::vector<std::string> args)
{
	args.insert(args.begin(), kTool);
	return cen_test::run_process(args);
}

// The tool with standard input from @producer, a shell command: a pipe.
ProcessResult piped_tool(const std::string &producer, const std::string &args)
{
	return cen_test::run_process(
		{"/bin/sh", "-c", producer + " | " + kTool + " " + args});
}

bool contains(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

using cen_test::TempFile;

const std::vector<std::vector<std::string>> kCommands = {
	{"backends"},	    {"alloc"},	       {"info"},  {"profile", "load"},
	{"profile", "show"}, {"profile", "clear"}, {"solve"},
	{"discover"},
};

std::string joined(const std::vector<std::string> &words)
{
	std::string s;
	for (const auto &w : words)
		s += (s.empty() ? "" : " ") + w;
	return s;
}

} // namespace

TEST(Tool, EveryCommandHasHelp)
{
	const ProcessResult main_help = tool({"--help"});
	ASSERT_EQ(main_help.status, 0) << main_help.err;
	for (const auto &cmd : kCommands) {
		const std::string name = joined(cmd);
		SCOPED_TRACE(name);
		EXPECT_TRUE(contains(main_help.out, "  " + name + " "));
		auto args = cmd;
		args.push_back("--help");
		const ProcessResult r = tool(args);
		EXPECT_EQ(r.status, 0) << r.err;
		EXPECT_EQ(r.out.rfind("usage: cenalloc " + name, 0), 0U) << r.out;
		EXPECT_TRUE(contains(r.out, "exit status:"));
		EXPECT_TRUE(contains(r.out, "--help"));
		EXPECT_TRUE(r.err.empty()) << r.err;
		// "help CMD" is "CMD --help".
		auto help = cmd;
		help.insert(help.begin(), "help");
		EXPECT_EQ(tool(help).out, r.out);
	}
	EXPECT_TRUE(contains(main_help.out, "exit status:"));
}

TEST(Tool, VersionAndBareUsage)
{
	for (const char *flag : {"--version", "-V"}) {
		const ProcessResult r = tool({flag});
		EXPECT_EQ(r.status, 0) << r.err;
		EXPECT_EQ(r.out, "cenalloc " CENALLOC_VERSION "\n");
	}
	// No arguments: the usage, on stderr, and the usage status.
	const ProcessResult bare = tool({});
	EXPECT_EQ(bare.status, 2);
	EXPECT_TRUE(bare.out.empty()) << bare.out;
	EXPECT_TRUE(contains(bare.err, "usage: cenalloc COMMAND")) << bare.err;
	EXPECT_TRUE(contains(bare.err, "  discover ")) << bare.err;
}

TEST(Tool, DeviceThatIsNotCenallocIsNamed)
{
	const TempFile plain("not-a-device", "");
	for (const std::string &path :
	     {std::string("/dev/null"), plain.path(),
	      std::filesystem::path(plain.path()).parent_path().string()}) {
		SCOPED_TRACE(path);
		const ProcessResult r = tool({"backends", "--device", path});
		EXPECT_EQ(r.status, 4) << r.err;
		EXPECT_TRUE(contains(r.err, path + " is not a cenalloc device"))
			<< r.err;
	}
}

TEST(Tool, SolveSaysChosenSkippedAndEachDevicesSegments)
{
	const TempFile doc("skips.json", R"({
		"devices": [{"name": "cam"},
			    {"name": "gpu", "iommu": true}],
		"backends": [{"name": "system", "kind": "scatter", "max_chunk": "4 MiB"},
			     {"name": "contig", "kind": "contig", "max_chunk": "16 MiB"},
			     {"name": "cma", "kind": "contig", "max_chunk": "64 MiB"}],
		"buffers": [{"name": "shared", "size": 8294400, "devices": ["cam", "gpu"]},
			    {"name": "gpu-only", "size": "1 MiB", "devices": ["gpu"]}]
	})");
	const ProcessResult r = tool({"solve", doc.path()});

	ASSERT_EQ(r.status, 0) << r.err;
	EXPECT_TRUE(contains(r.out, "2 devices, 0 profiles, 3 backends, "
				    "page size 4 KiB")) << r.out;
	EXPECT_TRUE(contains(r.out, "8294400 bytes (7.91 MiB)")) << r.out;
	EXPECT_TRUE(contains(r.out, "contig   chosen: one chunk of 8100 KiB"))
		<< r.out;
	// Accepted, but the kernel stops at the first that serves.
	EXPECT_TRUE(contains(r.out, "cma      skipped: contig comes first; "
				    "would give one chunk")) << r.out;
	EXPECT_TRUE(contains(r.out, "each device sees: cam 1 segment (allows 1), "
				    "gpu ")) << r.out;
	// Scarce memory nobody needs is passed over, not refused.
	EXPECT_TRUE(contains(r.out, "contig   skipped: not needed")) << r.out;
	EXPECT_FALSE(contains(r.out, "refused: not needed")) << r.out;

	const Json j = parse_json(tool({"solve", "--json", doc.path()}).out);
	const Json &shared = j["buffers"][0]["backends"];
	EXPECT_EQ(shared[0]["verdict"], "refused");
	EXPECT_EQ(shared[1]["verdict"], "chosen");
	EXPECT_EQ(shared[1]["segments"], Json::array({1, 1}));
	EXPECT_EQ(shared[2]["verdict"], "skipped");
}

TEST(Tool, UsageErrorsNameTheProblem)
{
	struct Case {
		std::vector<std::string> args;
		std::string message;
	};
	const std::vector<Case> cases = {
		{{}, "no command given"},
		{{"frobnicate"}, "unknown command 'frobnicate'"},
		{{"profile"}, "expected load, show or clear"},
		{{"profile", "list"}, "unknown command 'profile list'"},
		{{"solve"}, "solve: missing PLATFORM.json"},
		{{"profile", "show", "a.json", "b.json"},
		 "unexpected argument 'b.json'"},
		{{"solve", "--bogus", "a.json"}, "unknown option --bogus"},
		{{"solve", "-x", "a.json"}, "unknown option -x"},
		{{"info", "--fd"}, "--fd needs a value (N)"},
		{{"info", "--fd=x", kNoDevice}, "--fd 'x' is not a number"},
		{{"info", "7", "--fd=3"}, "give an ID or --fd, not both"},
		{{"backends", "--json=yes"}, "--json takes no value"},
		{{"backends", "--json", "--json"}, "--json is given more than once"},
		{{"alloc", "16 MB"}, "unknown unit \"MB\""},
		{{"alloc", "0"}, "SIZE must not be 0"},
		{{"alloc", "4096", "--constraint", "align=3"},
		 "--constraint align=3: alignment 3 is not a power of two"},
		{{"alloc", "4096", "--constraint", "max_segment=1"},
		 "--constraint max_segment=1: unknown field"},
		{{"alloc", "4096", "--constraint", "iommu"}, "expected KEY=VALUE"},
		{{"profile", "clear"}, "give FILE.json or --all"},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(joined(c.args));
		const ProcessResult r = tool(c.args);
		EXPECT_EQ(r.status, 2) << r.err;
		EXPECT_TRUE(contains(r.err, c.message)) << r.err;
		EXPECT_EQ(r.err.rfind("cenalloc: ", 0), 0U) << r.err;
	}
}

TEST(Tool, WithoutTheModuleCommandsSayItIsNotLoaded)
{
	const std::string example = kProfiles + "/camera-display-soc.json";
	for (const std::vector<std::string> &args :
	     {std::vector<std::string>{"backends"},
	      {"alloc", "4096"},
	      {"info"},
	      {"info", "3"},
	      {"profile", "load", example},
	      {"profile", "clear", "--all"},
	      {"solve", "--kernel-backends", example}}) {
		auto with_device = args;
		with_device.push_back(kNoDevice);
		SCOPED_TRACE(joined(with_device));
		const ProcessResult r = tool(with_device);
		EXPECT_EQ(r.status, 4) << r.err;
		EXPECT_TRUE(contains(r.err, "/nonexistent/cenalloc")) << r.err;
		EXPECT_TRUE(contains(r.err, "module")) << r.err;
		EXPECT_TRUE(r.out.empty()) << r.out;
	}
}

TEST(Tool, SolvePrintsWhatTheWhatIfDecides)
{
	for (const auto &e : std::filesystem::directory_iterator(kProfiles)) {
		// The schema of the format lives beside the examples.
		if (e.path().extension() != ".json" ||
		    e.path().string().ends_with(".schema.json"))
			continue;
		SCOPED_TRACE(e.path().string());
		const Document doc = read_document(e.path());
		const auto decisions = solve(doc);
		const ProcessResult r = tool({"solve", "--json", e.path()});
		ASSERT_EQ(r.status, 0) << r.err;
		const Json j = parse_json(r.out);
		ASSERT_EQ(j["buffers"].size(), decisions.size());
		for (std::size_t i = 0; i < decisions.size(); i++) {
			const Json &b = j["buffers"][i];
			EXPECT_EQ(b["name"], decisions[i].buffer);
			EXPECT_EQ(b["backend"], decisions[i].backend);
			EXPECT_EQ(b["reason"], decisions[i].reason);
			EXPECT_EQ(b["members"].size(), decisions[i].members.size());
			ASSERT_EQ(b["backends"].size(), doc.backends.size());
			// The chosen backend is accepted, the first choice.
			for (const Json &v : b["backends"])
				if (v["name"] == decisions[i].backend) {
					EXPECT_TRUE(v["accepted"].get<bool>());
					EXPECT_EQ(v["preference"], 0);
				} else if (!v["accepted"].get<bool>()) {
					EXPECT_FALSE(v["reason"]
							     .get<std::string>()
							     .empty());
				}
		}
		// The table says the same.
		const ProcessResult text = tool({"solve", e.path()});
		ASSERT_EQ(text.status, 0) << text.err;
		for (const auto &d : decisions)
			EXPECT_TRUE(contains(text.out, "=> " + d.backend + ": " +
							       d.reason))
				<< text.out;
	}
}

TEST(Tool, SolveTakesExtraProfilesAsNewer)
{
	const std::string soc = kProfiles + "/camera-display-soc.json";
	const Document doc = read_document(soc);
	// Undo the example's own profile: the display becomes
	// contiguous-only, and buffers it shares must change backend.
	const TempFile contiguous_display("display.json", R"({
		"profiles": [{"match": {"device": "fe400000.display", "bus": "platform"},
			      "constraints": {"max_segments": 1,
					      "max_seg_size": "any"}}]
	})");
	const ProcessResult before = tool({"solve", "--json", soc});
	const ProcessResult after = tool({"solve", "--json", soc, "--profile",
					  contiguous_display.path()});
	ASSERT_EQ(before.status, 0) << before.err;
	ASSERT_EQ(after.status, 0) << after.err;
	const Json b = parse_json(before.out), a = parse_json(after.out);
	int changed = 0;
	for (std::size_t i = 0; i < doc.buffers.size(); i++) {
		const auto &devs = doc.buffers[i].devices;
		const bool has_display =
			std::ranges::find(devs, "fe400000.display") != devs.end();
		for (const Json &m : a["buffers"][i]["members"])
			if (m["name"] == "fe400000.display") {
				EXPECT_EQ(m["constraints"]["max_segments"], 1);
				EXPECT_EQ(m["sources"]["max_segments"],
					  "platform profile");
			}
		if (!has_display) {
			EXPECT_EQ(a["buffers"][i]["backend"],
				  b["buffers"][i]["backend"]);
		}
		changed += a["buffers"][i]["backend"] != b["buffers"][i]["backend"];
	}
	EXPECT_GT(changed, 0);
}

TEST(Tool, SolveExitsOneWhenABufferCannotBeBacked)
{
	const TempFile doc("too-big.json", R"({
		"devices": [{"name": "cam"}],
		"backends": [{"name": "contig", "kind": "contig", "max_chunk": "4 MiB"}],
		"buffers": [{"name": "ok", "size": "1 MiB", "devices": ["cam"]},
			    {"name": "huge", "size": "64 MiB", "devices": ["cam"]}]
	})");
	const ProcessResult r = tool({"solve", doc.path()});

	EXPECT_EQ(r.status, 1) << r.err;
	EXPECT_TRUE(contains(r.out, "=> contig: ")) << r.out;
	EXPECT_TRUE(contains(r.out, "=> cannot be backed: ")) << r.out;
}

TEST(Tool, SolveNeedsBackendsAndBuffers)
{
	const TempFile doc("empty.json", R"({"devices": [{"name": "cam"}]})");
	const ProcessResult r = tool({"solve", doc.path()});

	EXPECT_EQ(r.status, 3);
	EXPECT_TRUE(contains(r.err, doc.path() + ": backends: solve needs"))
		<< r.err;
}

TEST(Tool, MalformedFilesAreRefusedWithTheirMessage)
{
	int checked = 0;
	for (const auto &e : std::filesystem::directory_iterator(CEN_CORPUS_DIR)) {
		if (e.path().extension() != ".json")
			continue;
		std::filesystem::path expect_file = e.path();
		expect_file.replace_extension(".expect");
		std::string expected;
		std::getline(std::ifstream(expect_file), expected);
		SCOPED_TRACE(e.path().filename().string());
		for (const std::vector<std::string> &args :
		     {std::vector<std::string>{"solve", e.path()},
		      {"profile", "show", e.path()},
		      {"profile", "load", e.path(), kNoDevice}}) {
			const ProcessResult r = tool(args);
			EXPECT_EQ(r.status, 3) << r.err;
			EXPECT_TRUE(contains(r.err, e.path().string() + ": "))
				<< r.err;
			EXPECT_TRUE(contains(r.err, expected))
				<< r.err << "expected: " << expected;
		}
		checked++;
	}
	EXPECT_GE(checked, 40);
	const ProcessResult missing = tool({"solve", "/nonexistent.json"});
	EXPECT_EQ(missing.status, 3);
	// Reviewer: the reason was dropped.
	EXPECT_TRUE(contains(missing.err, "/nonexistent.json: cannot be opened: "
					  "No such file or directory"))
		<< missing.err;
}

TEST(Tool, ProfileShowPrintsWhatLoadWouldLoad)
{
	const std::string soc = kProfiles + "/camera-display-soc.json";
	const Document doc = read_document(soc);
	ASSERT_FALSE(doc.profiles.empty());

	const ProcessResult text = tool({"profile", "show", soc});
	ASSERT_EQ(text.status, 0) << text.err;
	for (const Profile &p : doc.profiles)
		EXPECT_TRUE(contains(text.out, p.match.describe())) << text.out;

	// --json is a document that reads back to the same profiles.
	const ProcessResult json = tool({"profile", "show", "--json", soc});
	ASSERT_EQ(json.status, 0) << json.err;
	EXPECT_EQ(parse_document(json.out).profiles, doc.profiles);

	const ProcessResult none = tool(
		{"profile", "show", kProfiles + "/test-vm-x86_64.json"});
	EXPECT_EQ(none.status, 3);
	EXPECT_TRUE(contains(none.err, "profiles: the file has no profiles"))
		<< none.err;
}

// Reviewer: `cenalloc solve /dev/zero` grew without bound.
TEST(Tool, SolveRefusesInputBeyondTheLimitFromDevicesAndPipes)
{
	const std::string limit = "is larger than 1 MiB (1048576 bytes)";
	const ProcessResult dev = tool({"solve", "/dev/zero"});
	EXPECT_EQ(dev.status, 3);
	EXPECT_TRUE(contains(dev.err, "cenalloc: /dev/zero: " + limit)) << dev.err;

	// An endless pipe: the tool stops reading at the limit (the producer
	// then dies of SIGPIPE, which the shell does not report).
	const ProcessResult pipe = piped_tool("cat /dev/zero", "solve -");
	EXPECT_EQ(pipe.status, 3);
	EXPECT_TRUE(contains(pipe.err, "cenalloc: <stdin>: " + limit)) << pipe.err;
}

TEST(Tool, SolveReadsStandardInput)
{
	const std::string soc = kProfiles + "/camera-display-soc.json";
	const ProcessResult file = tool({"solve", soc});
	const ProcessResult in = piped_tool("cat " + soc, "solve -");

	ASSERT_EQ(in.status, 0) << in.err;
	EXPECT_TRUE(in.out.starts_with("<stdin>: ")) << in.out;
	EXPECT_EQ(in.out.substr(in.out.find('\n')),
		  file.out.substr(file.out.find('\n')));
	const ProcessResult twice = tool({"solve", "-", "--profile", "-"});
	EXPECT_EQ(twice.status, 2);
	EXPECT_TRUE(contains(twice.err, "standard input (-) can be read only once"))
		<< twice.err;
}

TEST(Tool, SolveTakesSeveralFilesEachLabelled)
{
	const std::string soc = kProfiles + "/camera-display-soc.json";
	const std::string vm = kProfiles + "/test-vm-x86_64.json";
	const ProcessResult one = tool({"solve", vm});
	const ProcessResult both = tool({"solve", soc, vm});

	ASSERT_EQ(both.status, 0) << both.err;
	const std::size_t second = both.out.find("\n\n==> " + vm + " <==\n");
	ASSERT_NE(second, std::string::npos) << both.out;
	EXPECT_TRUE(both.out.starts_with("==> " + soc + " <==\n" + soc + ": "))
		<< both.out;
	EXPECT_EQ(both.out.substr(second + vm.size() + 11), one.out);

	const ProcessResult json = tool({"solve", "--json", soc, vm});
	ASSERT_EQ(json.status, 0) << json.err;
	const Json results = parse_json(json.out);
	ASSERT_TRUE(results.is_array());
	ASSERT_EQ(results.size(), 2U);
	EXPECT_EQ(results[0]["file"], soc);
	EXPECT_EQ(results[1]["file"], vm);
	EXPECT_EQ(results[1], parse_json(tool({"solve", "--json", vm}).out));
}

TEST(Tool, SolveGoesOnPastAFileThatCannotBeUsed)
{
	const std::string vm = kProfiles + "/test-vm-x86_64.json";
	const ProcessResult r = tool({"solve", "/nonexistent.json", vm});

	EXPECT_EQ(r.status, 3);
	EXPECT_TRUE(contains(r.err, "cenalloc: /nonexistent.json: cannot be opened"))
		<< r.err;
	EXPECT_TRUE(contains(r.out, "==> " + vm + " <==\n")) << r.out;
	EXPECT_TRUE(contains(r.out, "=> ")) << r.out;
}

// Reviewer: control characters reached the terminal raw.
TEST(Tool, SolvePrintsNoControlCharacterOfItsInput)
{
	const TempFile doc("esc.json", "{\"description\": \"\\u001b[2J\", "
				       "\"backends\": [{\"name\": \"s\", \"kind\": \"scatter\","
				       " \"max_chunk\": 4096}],"
				       " \"buffers\": [{\"name\": \"b\", \"size\": 4.096e3}]}");
	const ProcessResult r = tool({"solve", doc.path()});

	ASSERT_EQ(r.status, 0) << r.err;
	EXPECT_FALSE(contains(r.out, "\x1b")) << r.out;
	EXPECT_TRUE(contains(r.out, ": \\x1b[2J\n")) << r.out;
	EXPECT_TRUE(contains(r.out, "buffer \"b\", 4096 bytes")) << r.out;
}
