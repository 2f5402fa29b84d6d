// The mpyship binary as a user runs it: exit codes, messages and output.
#include "../support/test_support.h"

#include <gtest/gtest.h>

namespace mpyship::test {
namespace {

RunResult mpyship(std::vector<std::string> args) {
    args.insert(args.begin(), mpyship_binary().string());
    return run_program(args);
}

TEST(Cli, VersionAndHelp) {
    auto v = mpyship({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_TRUE(v.out.starts_with("mpyship ")) << v.out;
    auto h = mpyship({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("inspect"), std::string::npos);
    auto hc = mpyship({"help", "inspect"});
    EXPECT_EQ(hc.exit_code, 0);
    EXPECT_NE(hc.out.find("--json"), std::string::npos);
    auto none = mpyship({});
    EXPECT_EQ(none.exit_code, 2);
}

TEST(Cli, UnknownCommandSuggestsTheNearestOne) {
    auto r = mpyship({"inspetc", "x.mpy"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'inspetc'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("did you mean 'inspect'?"), std::string::npos) << r.err;
    auto h = mpyship({"help", "inpsect"});
    EXPECT_EQ(h.exit_code, 2);
    EXPECT_NE(h.err.find("did you mean 'inspect'?"), std::string::npos) << h.err;
}

TEST(Cli, InspectPrintsTheDisassembly) {
    auto file = data_dir() / "snapshots" / "hello.mpy";
    auto r = mpyship({"inspect", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("LOAD_NAME print"), std::string::npos) << r.out;
    auto j = mpyship({"inspect", "--json", file.string()});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_NE(j.out.find("\"opcode\": \"LOAD_NAME\""), std::string::npos) << j.out;
}

TEST(Cli, InspectSucceedsOnEveryGoldenInTheRepository) {
    int n = 0;
    for (const auto& f : files_with_suffix(data_dir() / "corpus", ".mpy")) {
        auto r = mpyship({"inspect", f.string()});
        EXPECT_EQ(r.exit_code, 0) << f << ": " << r.err;
        ++n;
    }
    EXPECT_GT(n, 50);
}

TEST(Cli, InspectReportsMalformedFilesWithOffset) {
    TempDir dir;
    auto bytes = read_bytes(data_dir() / "snapshots" / "hello.mpy");
    bytes.resize(bytes.size() - 3);
    auto cut = dir.path() / "cut.mpy";
    write_bytes(cut, bytes);
    auto r = mpyship({"inspect", cut.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.err.starts_with(cut.string() + ": error: ")) << r.err;
    EXPECT_NE(r.err.find(" at offset "), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());

    auto text = dir.path() / "text.mpy";
    write_bytes(text, {'h', 'i', '\n'});
    auto t = mpyship({"inspect", text.string()});
    EXPECT_EQ(t.exit_code, 1);
    EXPECT_EQ(t.err, text.string() +
                         ": error: not a .mpy file: magic byte is 0x68, expected 'M' or 'C' at offset 0\n");

    auto missing = mpyship({"inspect", (dir.path() / "nope.mpy").string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("nope.mpy: error: cannot open"), std::string::npos) << missing.err;
}

} // namespace
} // namespace mpyship::test
