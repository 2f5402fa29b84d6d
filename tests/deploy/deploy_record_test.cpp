// The deploy record: JSON round trip, validation, and the widened record written before a deploy acts.
#include "mpyship/deploy/deploy_record.h"

#include <gtest/gtest.h>

namespace mpyship::deploy {
namespace {

TEST(DeployRecord, RoundTripsThroughJson) {
    DeployRecord r{"mpyship 0.1.0", "1.2", {{"code.py"}, {"lib/x.mpy"}}};
    auto back = record_from_json(record_to_json(r), "deployed.json");
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, r);
}

TEST(DeployRecord, RejectsOtherJsonAndUnsafePaths) {
    auto not_json = record_from_json("{", "d.json");
    ASSERT_FALSE(not_json);
    EXPECT_EQ(not_json.error().to_string(),
              "d.json: deploy record is not valid JSON (delete it to start over)");
    EXPECT_FALSE(record_from_json(R"({"format": 2, "files": []})", "d.json"));
    auto unsafe = record_from_json(R"({"format": 1, "files": ["../etc/passwd"]})", "d.json");
    ASSERT_FALSE(unsafe);
    EXPECT_EQ(unsafe.error().message, "unsafe path in record: ../etc/passwd");
}

TEST(DeployRecord, MergeKeepsEveryPathSorted) {
    DeployRecord older{"a", "1", {{"gone.mpy"}, {"kept.mpy"}}};
    DeployRecord newer{"b", "2", {{"kept.mpy"}, {"new.mpy"}}};
    DeployRecord merged = merge_records(older, newer);
    ASSERT_EQ(merged.files.size(), 3u);
    EXPECT_EQ(merged.files[0].path, "gone.mpy");
    EXPECT_EQ(merged.files[1].path, "kept.mpy");
    EXPECT_EQ(merged.files[2].path, "new.mpy");
    EXPECT_EQ(merged.version, "2");
}

} // namespace
} // namespace mpyship::deploy
