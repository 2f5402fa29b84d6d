// Exact disassembly text of small reference files (tests/data/snapshots/NAME.mpy -> NAME.dis).
// To update after an intended change: MPYSHIP_UPDATE_SNAPSHOTS=1 and review the diff.
#include "../support/test_support.h"

#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace mpyship::mpy {
namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class Snapshot : public ::testing::TestWithParam<std::string> {};

TEST_P(Snapshot, DisassemblyMatches) {
    auto dir = test::data_dir() / "snapshots";
    auto bytes = test::read_bytes(dir / (GetParam() + ".mpy"));
    auto module = read_module(bytes);
    ASSERT_TRUE(module) << module.error().to_string();
    std::string text = disassemble(*module);
    auto expected_path = dir / (GetParam() + ".dis");
    if (std::getenv("MPYSHIP_UPDATE_SNAPSHOTS")) {
        std::ofstream(expected_path) << text;
        GTEST_SKIP() << "snapshot written";
    }
    EXPECT_EQ(text, read_text(expected_path));
}

INSTANTIATE_TEST_SUITE_P(Files, Snapshot,
                         ::testing::Values("hello", "closure", "klass", "control", "consts"));

TEST(SnapshotJson, CarriesTheSameContent) {
    auto bytes = test::read_bytes(test::data_dir() / "snapshots" / "closure.mpy");
    auto module = read_module(bytes);
    ASSERT_TRUE(module);
    auto j = disassemble_json(*module);
    EXPECT_EQ(j["header"]["magic"], "M");
    EXPECT_EQ(j["qstrs"][0]["text"], "closure.py");
    const auto& outer = j["code"]["children"][0];
    EXPECT_EQ(outer["name"], "outer");
    EXPECT_EQ(outer["n_pos_args"], 2);
    EXPECT_EQ(outer["n_kwonly_args"], 2);
    EXPECT_EQ(outer["arg_names"], nlohmann::ordered_json({"a", "b", "d", "c"}));
    EXPECT_EQ(outer["instructions"][2]["opcode"], "BINARY_OP");
    EXPECT_EQ(outer["instructions"][2]["text"], "ADD");
    EXPECT_EQ(outer["children"][0]["name"], "inner");
}

} // namespace
} // namespace mpyship::mpy
