#include "mpyship/project/manifest.h"

#include <gtest/gtest.h>

namespace mpyship::project {
namespace {

Manifest sample() {
    Manifest m;
    m.version = "1.0.0";
    m.build_timestamp = iso8601_utc(1700000000);
    m.target = "circuitpython";
    m.mpy_version = "6.3";
    m.generator = "mpyship test";
    m.files = {{"a.mpy", "mpy/a.mpy", std::string(64, 'a'), 10},
               {"lib/b.py", "mpy/lib/b.py", std::string(64, 'b'), 0}};
    return m;
}

TEST(Manifest, SchemaAndRoundTrip) {
    std::string text = manifest_to_json(sample());
    EXPECT_EQ(text.find("\"version\""), 4u); // first key, as in the original workflow
    EXPECT_NE(text.find("\"build_timestamp\": \"2023-11-14T22:13:20Z\""), std::string::npos);
    EXPECT_NE(text.find("\"download_path\": \"mpy/lib/b.py\""), std::string::npos);
    auto back = manifest_from_json(text, "m.json");
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->files, sample().files);
    EXPECT_EQ(back->version, "1.0.0");
}

TEST(Manifest, RejectsMalformedInput) {
    auto bad = [](const std::string& text) {
        auto r = manifest_from_json(text, "m.json");
        EXPECT_FALSE(r) << text;
        return r ? std::string() : r.error().message;
    };
    EXPECT_EQ(bad("{"), "m.json: not valid JSON");
    EXPECT_EQ(bad("[]"), "m.json: expected an object with a 'files' array");
    std::string h(64, 'c');
    EXPECT_NE(
        bad(R"({"files":[{"path":"../x","sha256":")" + h + R"(","size":1}]})").find("unsafe path '../x'"),
        std::string::npos);
    EXPECT_NE(bad(R"({"files":[{"path":"/etc/x","sha256":")" + h + R"(","size":1}]})").find("unsafe path"),
              std::string::npos);
    EXPECT_NE(bad(R"({"files":[{"path":"x","sha256":"zz","size":1}]})").find("64 lowercase hex"),
              std::string::npos);
    EXPECT_NE(bad(R"({"files":[{"path":"x","sha256":")" + h + R"(","size":-1}]})").find("'size'"),
              std::string::npos);
    EXPECT_NE(bad(R"({"files":[{"path":"x","sha256":")" + h + R"(","size":1},{"path":"x","sha256":")" + h +
                  R"(","size":1}]})")
                  .find("listed twice"),
              std::string::npos);
}

TEST(Manifest, SafePaths) {
    EXPECT_TRUE(is_safe_relative_path("a/b.mpy"));
    for (const char* p : {"", "/a", "a/../b", "..", "a//b", "./a", "a\\b", "a/"})
        EXPECT_FALSE(is_safe_relative_path(p)) << p;
}

} // namespace
} // namespace mpyship::project
