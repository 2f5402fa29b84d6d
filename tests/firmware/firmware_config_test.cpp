#include "mpyship/firmware/firmware_config.h"
#include "mpyship/project/project_config.h"

#include <gtest/gtest.h>

namespace mpyship::firmware {
namespace {

Result<FirmwareConfig> parse(const std::string& firmware) {
    return parse_firmware_config("[project]\nname = \"p\"\n[firmware]\n" + firmware, "/proj", "mpyship.toml");
}

TEST(FirmwareConfig, ReadsEveryKey) {
    auto c = parse(R"(port = "fake"
board = "BOARD_B"
variant = "SPIRAM"
micropython = { git = "https://github.com/micropython/micropython", rev = "v1.28.0" }
micropython_lib = "../mplib"
manifest = "fw/manifest.py"
include_port_manifest = false
freeze_project = true
user_c_modules = ["cmod/blink"]
patches = ["p/1.patch", "p/2.patch"]
make_vars = { EXTRA = "x y", MICROPY_PY_BTREE = "0" }
jobs = 3
)");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->port, "fake");
    EXPECT_EQ(c->board, "BOARD_B");
    EXPECT_EQ(c->variant, "SPIRAM");
    EXPECT_EQ(c->micropython.git, "https://github.com/micropython/micropython");
    EXPECT_EQ(c->micropython.rev, "v1.28.0");
    EXPECT_EQ(c->micropython_lib->local, "/mplib");
    EXPECT_EQ(c->manifest_file, "/proj/fw/manifest.py");
    EXPECT_FALSE(c->include_port_manifest);
    EXPECT_TRUE(c->freeze_project);
    EXPECT_EQ(c->user_c_modules, std::vector<std::filesystem::path>{"/proj/cmod/blink"});
    EXPECT_EQ(c->patches, (std::vector<std::filesystem::path>{"/proj/p/1.patch", "/proj/p/2.patch"}));
    EXPECT_EQ(c->make_vars.at("EXTRA"), "x y");
    EXPECT_EQ(c->jobs, 3u);
    EXPECT_EQ(c->project_src, "/proj/src");
    EXPECT_EQ(c->project_out, "/proj/build");
}

TEST(FirmwareConfig, InlineManifestAndOptionalBoard) {
    auto c = parse("port = \"unix\"\nmicropython = \"mp\"\nmanifest = \"module('x.py')\"\n");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_FALSE(c->board);
    EXPECT_EQ(c->micropython.local, "/proj/mp");
    EXPECT_EQ(c->manifest_text, "module('x.py')");
    EXPECT_TRUE(c->include_port_manifest);
}

TEST(FirmwareConfig, ErrorsNameFileLineAndColumn) {
    auto unknown = parse("port = \"unix\"\nmicropython = \"mp\"\nbaord = \"X\"\n");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "mpyship.toml:6:9: error: unknown key 'baord' in [firmware]");
    auto no_port = parse("micropython = \"mp\"\n");
    ASSERT_FALSE(no_port);
    EXPECT_EQ(no_port.error().message,
              "mpyship.toml:3:1: error: [firmware] needs 'port' (e.g. port = \"unix\")");
    auto no_rev = parse("port = \"unix\"\nmicropython = { git = \"https://x/y\" }\n");
    ASSERT_FALSE(no_rev);
    EXPECT_EQ(no_rev.error().message,
              "mpyship.toml:5:15: error: 'micropython' needs both 'git' and 'rev' (a commit, tag or branch)");
    auto bad_var = parse("port = \"unix\"\nmicropython = \"mp\"\nmake_vars = { N = 1 }\n");
    ASSERT_FALSE(bad_var);
    EXPECT_EQ(bad_var.error().message, "mpyship.toml:6:19: error: make_vars.N must be a string");
    auto bad_source_key = parse("port = \"unix\"\nmicropython = { git = \"g\", rev = \"r\", tag = \"t\" }\n");
    ASSERT_FALSE(bad_source_key);
    EXPECT_NE(bad_source_key.error().message.find("unknown key 'tag' in 'micropython'"), std::string::npos);
    auto bad_sha = parse("port = \"unix\"\nmicropython = { git = \"g\", rev = \"r\", sha256 = \"abc\" }\n");
    ASSERT_FALSE(bad_sha);
    EXPECT_NE(bad_sha.error().message.find("'sha256' must be 64 lowercase hex digits"), std::string::npos);
}

TEST(FirmwareConfig, StarterConfigsCommentedSectionWorksUncommented) {
    std::string text = project::starter_config("demo", compiler::Target::micropython);
    auto at = text.find("# [firmware]\n");
    ASSERT_NE(at, std::string::npos) << text;
    std::string uncommented = text.substr(0, at);
    for (std::size_t i = at; i < text.size();) {
        auto nl = text.find('\n', i);
        uncommented += text.substr(i + 2, nl - i - 1); // drop "# "
        i = nl + 1;
    }
    auto c = parse_firmware_config(uncommented, "/proj", "mpyship.toml");
    ASSERT_TRUE(c) << c.error().to_string() << "\n" << uncommented;
    EXPECT_EQ(c->port, "rp2");
    EXPECT_EQ(c->board, "RPI_PICO");
    EXPECT_EQ(c->micropython.git, "https://github.com/micropython/micropython");
    EXPECT_EQ(c->micropython.rev, "v1.28.0");
    EXPECT_TRUE(c->freeze_project);
    EXPECT_EQ(project::starter_config("demo", compiler::Target::circuitpython).find("[firmware]"),
              std::string::npos)
        << "CircuitPython projects get no firmware section";
}

TEST(FirmwareConfig, MissingSection) {
    auto c = parse_firmware_config("[project]\nname = \"p\"\n", "/proj", "mpyship.toml");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("no [firmware] section"), std::string::npos);
}

} // namespace
} // namespace mpyship::firmware
