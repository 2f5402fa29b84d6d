#include "../support/test_support.h"

#include "mpyship/project/project_config.h"

#include <fstream>
#include <gtest/gtest.h>

namespace mpyship::project {
namespace {

Result<ProjectConfig> parse(const std::string& text) {
    return parse_project_config(text, "/tmp/proj", "mpyship.toml");
}

TEST(ProjectConfig, DefaultsWithoutAFile) {
    test::TempDir dir;
    auto c = load_project_config(dir.path());
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_FALSE(c->from_file);
    EXPECT_EQ(c->src, "src");
    EXPECT_EQ(c->out, "build");
    EXPECT_EQ(c->target, compiler::Target::circuitpython);
    EXPECT_EQ(c->entry_points, default_entry_points(compiler::Target::circuitpython));
    EXPECT_EQ(c->name, dir.path().filename().string());
}

TEST(ProjectConfig, ReadsEverySection) {
    auto c = parse(R"(
[project]
name = "blink"
version = "1.2.3"
target = "micropython"
src = "app"
out = "dist"
[build]
exclude = ["tests/", "*.bak"]
optimize = 2
[package]
formats = ["zip"]
)");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->name, "blink");
    EXPECT_EQ(c->version, "1.2.3");
    EXPECT_EQ(c->target, compiler::Target::micropython);
    EXPECT_EQ(c->src, "app");
    EXPECT_EQ(c->out, "dist");
    EXPECT_EQ(c->exclude, (std::vector<std::string>{"tests/", "*.bak"}));
    EXPECT_EQ(c->opt_level, 2);
    EXPECT_EQ(c->package_formats, (std::vector<std::string>{"zip"}));
    EXPECT_EQ(c->entry_points, (std::vector<std::string>{"boot.py", "main.py"}));
}

TEST(ProjectConfig, ErrorsNameFileLineAndColumn) {
    auto bad_toml = parse("[project]\nname = \n");
    ASSERT_FALSE(bad_toml);
    EXPECT_TRUE(bad_toml.error().message.starts_with("mpyship.toml:2:")) << bad_toml.error().message;
    auto bad_target = parse("[project]\ntarget = \"cpython\"\n");
    ASSERT_FALSE(bad_target);
    EXPECT_EQ(bad_target.error().message,
              "mpyship.toml:2:10: error: unknown target 'cpython': expected circuitpython or micropython");
    auto typo = parse("[build]\nexclud = []\n");
    ASSERT_FALSE(typo);
    EXPECT_EQ(typo.error().message, "mpyship.toml:2:10: error: unknown key 'exclud' in [build]");
    auto wrong_type = parse("[build]\noptimize = \"high\"\n");
    ASSERT_FALSE(wrong_type);
    EXPECT_NE(wrong_type.error().message.find("'optimize' must be an integer"), std::string::npos);
    auto absolute = parse("[project]\nsrc = \"/etc\"\n");
    ASSERT_FALSE(absolute);
    auto section = parse("[deploy]\n");
    ASSERT_FALSE(section);
    EXPECT_NE(section.error().message.find("unknown section 'deploy'"), std::string::npos);
}

TEST(ProjectConfig, FirmwareSectionIsLeftToTheFirmwareLayer) {
    auto c = parse("[project]\nname = \"x\"\n[firmware]\nport = \"unix\"\nanything = 1\n");
    ASSERT_TRUE(c) << c.error().to_string();
    auto not_table = parse("firmware = 3\n");
    ASSERT_FALSE(not_table);
    EXPECT_NE(not_table.error().message.find("unknown section 'firmware'"), std::string::npos);
}

TEST(ProjectConfig, StarterConfigParsesBack) {
    for (auto t : {compiler::Target::circuitpython, compiler::Target::micropython}) {
        auto c = parse(starter_config("demo", t));
        ASSERT_TRUE(c) << c.error().to_string();
        EXPECT_EQ(c->name, "demo");
        EXPECT_EQ(c->target, t);
        EXPECT_EQ(c->entry_points, default_entry_points(t));
    }
}

} // namespace
} // namespace mpyship::project
