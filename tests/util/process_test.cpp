#include "mpyship/util/process.h"
#include "mpyship/util/process_stream.h"

#include <gtest/gtest.h>

namespace mpyship {
namespace {

// 8 MiB through `cat`: far more than a pipe holds (64 KiB), so a runner that writes all of stdin before
// reading any output blocks for ever here.
TEST(RunProcess, LargeInputAndOutputDoNotDeadlock) {
    std::string input(8 << 20, 'x');
    for (std::size_t i = 0; i < input.size(); i += 1000)
        input[i] = '\n';
    auto r = run_process({"cat"}, input);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_EQ(r->out.size(), input.size());
    EXPECT_TRUE(r->out == input);
}

TEST(RunProcess, StdoutAndStderrAreSeparateAndBothLarge) {
    auto r = run_process({"sh", "-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2; exit 3"});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->exit_code, 3);
    EXPECT_EQ(r->out.size(), 300000u);
    EXPECT_EQ(r->err.size(), 200000u);
}

// The child exits without reading its input: we must not die of SIGPIPE.
TEST(RunProcess, ChildThatIgnoresItsInput) {
    auto r = run_process({"true"}, std::string(1 << 20, 'y'));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcess, MissingProgramAndBadFolderAreErrors) {
    auto missing = run_process({"mpyship-no-such-program"});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().to_string().find("mpyship-no-such-program"), std::string::npos);
    EXPECT_NE(missing.error().to_string().find("cannot run"), std::string::npos);
    auto bad_cwd = run_process({"true"}, {}, "/nonexistent-folder-for-mpyship");
    ASSERT_FALSE(bad_cwd);
}

TEST(RunProcess, SignalIsReportedAs128Plus) {
    auto r = run_process({"sh", "-c", "kill -TERM $$"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->exit_code, 128 + 15);
}

TEST(RunStreaming, LinesMergedAndEnvironmentAdded) {
    std::vector<std::string> lines;
    auto rc =
        run_streaming({"sh", "-c", "echo one; echo \"$MPYSHIP_TEST_VAR\" >&2; printf last"},
                      {{"MPYSHIP_TEST_VAR", "two"}}, [&](std::string_view l) { lines.emplace_back(l); });
    ASSERT_TRUE(rc) << rc.error().to_string();
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "last"}));
}

TEST(RunStreaming, StdinIsEmpty) {
    std::vector<std::string> lines;
    auto rc =
        run_streaming({"sh", "-c", "cat; echo done"}, {}, [&](std::string_view l) { lines.emplace_back(l); });
    ASSERT_TRUE(rc);
    EXPECT_EQ(lines, (std::vector<std::string>{"done"}));
}

} // namespace
} // namespace mpyship
