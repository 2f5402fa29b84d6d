// The planner on in-memory snapshots: what is written, kept, removed, created, in which order, and the
// space replay with FAT cluster rounding. No drive: the plan is pure.
#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/drive_names.h"
#include "mpyship/deploy/drive_sync.h"
#include "mpyship/deploy/space_check.h"

#include <gtest/gtest.h>

namespace mpyship::deploy {
namespace {

project::Manifest manifest(std::vector<project::ManifestFile> files) {
    project::Manifest m;
    m.target = "circuitpython";
    std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.path < b.path; });
    m.files = std::move(files);
    return m;
}

project::ManifestFile mf(std::string path, std::uint64_t size, std::string sha = "h") {
    return {path, "mpy/" + path, sha + path, size};
}

struct Device {
    DeviceTree tree;
    Device& file(const std::string& path, std::uint64_t size, std::string sha = "h") {
        tree.files[fat_fold(path)] = {path, size, sha + path};
        for (auto slash = path.find('/'); slash != path.npos; slash = path.find('/', slash + 1))
            tree.dirs[fat_fold(path.substr(0, slash))] = path.substr(0, slash);
        return *this;
    }
};

std::string actions(const DeployPlan& plan) {
    std::string out;
    for (const auto& a : plan_actions(plan))
        out += a.verb + " " + a.path + (a.detail.empty() ? "" : " (" + a.detail + ")") + "\n";
    return out;
}

DeployPlan plan_ok(const project::Manifest& m, const Device& d, PlanOptions o = {},
                   std::optional<DeployRecord> record = std::nullopt) {
    auto plan = make_plan(m, d.tree, record, o);
    EXPECT_TRUE(plan) << plan.error().to_string();
    return plan ? *plan : DeployPlan{};
}

TEST(DeployPlan, FirstDeployCreatesFoldersAndWritesEntryPointsLast) {
    auto m = manifest({mf("code.py", 10), mf("boot.py", 5), mf("lib/a.mpy", 20), mf("z.mpy", 3)});
    DeployPlan plan = plan_ok(m, Device{});
    EXPECT_EQ(actions(plan), "mkdir lib\n"
                             "write lib/a.mpy (20 bytes, new)\n"
                             "write z.mpy (3 bytes, new)\n"
                             "write boot.py (5 bytes, new)\n"
                             "write code.py (10 bytes, new)\n");
}

TEST(DeployPlan, ComparesBySizeThenHash) {
    auto m = manifest({mf("a.mpy", 10), mf("b.mpy", 10), mf("c.mpy", 10)});
    Device d;
    d.file("a.mpy", 10).file("b.mpy", 11).file("C.MPY", 10, "other");
    DeployPlan plan = plan_ok(m, d);
    EXPECT_EQ(plan.unchanged, 1u);
    EXPECT_EQ(actions(plan), "update b.mpy (10 bytes, was 11)\nupdate c.mpy (10 bytes, was 10)\n");
}

TEST(DeployPlan, NeedsHashOnlyForSameSizeFilesAtBuildPaths) {
    auto m = manifest({mf("a.mpy", 10), mf("lib/b.mpy", 4)});
    EXPECT_TRUE(needs_hash(m, {"a.mpy", 10, {}}));
    EXPECT_TRUE(needs_hash(m, {"LIB/B.mpy", 4, {}}));
    EXPECT_FALSE(needs_hash(m, {"a.mpy", 11, {}}));
    EXPECT_FALSE(needs_hash(m, {"other.mpy", 10, {}}));
}

TEST(DeployPlan, RemovesShadowingModulesBothWaysAndStalePackages) {
    auto m = manifest({mf("code.py", 1), mf("lib/foo.mpy", 2), mf("lib/bar.py", 3),
                       mf("lib/pkg/__init__.mpy", 4), mf("lib/data.mpy", 5)});
    Device d;
    d.file("lib/foo.py", 9).file("lib/bar.mpy", 9).file("lib/pkg.py", 9).file("lib/old/__init__.py", 9);
    d.file("lib/foo/__init__.py", 9).file("lib/foo/helper.py", 9).file("lib/data/readme.txt", 9);
    DeployPlan plan = plan_ok(m, d);
    std::string text = actions(plan);
    EXPECT_NE(text.find("remove lib/foo.py (shadows lib/foo.mpy: .py is imported first)"), text.npos) << text;
    EXPECT_NE(text.find("remove lib/bar.mpy (older compiled form of lib/bar.py)"), text.npos) << text;
    EXPECT_NE(text.find("remove lib/pkg.py (stale module replaced by package lib/pkg/)"), text.npos) << text;
    EXPECT_NE(text.find("remove lib/foo/__init__.py (in package folder lib/foo/, which shadows lib/foo.mpy)"),
              text.npos)
        << text;
    EXPECT_NE(text.find("remove lib/foo/helper.py"), text.npos) << text;
    EXPECT_NE(text.find("rmdir lib/foo (emptied)"), text.npos) << text;
    EXPECT_EQ(text.find("lib/old"), text.npos) << text; // not shadowing anything
    EXPECT_EQ(text.find("readme"), text.npos) << text;  // a data folder, not a package: left alone
    ASSERT_FALSE(plan.skipped.empty());
    EXPECT_EQ(plan.skipped[0].reason, "folder lib/data/ may shadow lib/data.mpy; not a package, left alone");
    EXPECT_LT(text.find("remove"), text.find("write code.py")); // shadows go before the entry point
}

TEST(DeployPlan, DeleteRemovesOnlyRecordedFilesAndNeverProtectedOnes) {
    auto m = manifest({mf("code.py", 1)});
    Device d;
    d.file("code.py", 1)
        .file("boot_out.txt", 1)
        .file("settings.toml", 1)
        .file("old.mpy", 1)
        .file("user.mpy", 1);
    d.file("lib/mine.mpy", 1).file(".mpyship/deployed.json", 1).file("lib/keep/x.mpy", 1);
    DeployRecord record{"", "", {{"old.mpy"}, {"settings.toml"}, {"gone.mpy"}}};
    EXPECT_EQ(actions(plan_ok(m, d, {}, record)), ""); // no --delete: nothing removed
    DeployPlan recorded = plan_ok(m, d, {DeleteMode::recorded, {}, {}}, record);
    EXPECT_EQ(actions(recorded), "remove old.mpy (deployed earlier, no longer in the build)\n");
    DeployPlan all = plan_ok(m, d, {DeleteMode::all, {"lib/keep/**"}, {}}, record);
    EXPECT_EQ(actions(all), "remove lib/mine.mpy (not in the build (--delete=all))\n"
                            "remove old.mpy (not in the build (--delete=all))\n"
                            "remove user.mpy (not in the build (--delete=all))\n");
}

TEST(DeployPlan, KeepGlobsAndBootOutAreNeverWritten) {
    auto m = manifest({mf("boot_out.txt", 1), mf("fonts/big.bin", 5), mf("a.mpy", 1)});
    DeployPlan plan = plan_ok(m, Device{}, {DeleteMode::none, {"fonts/*"}, {}});
    EXPECT_EQ(actions(plan), "write a.mpy (1 bytes, new)\n");
    ASSERT_EQ(plan.skipped.size(), 2u);
    EXPECT_EQ(plan.skipped[1].reason, "not written: matches --keep fonts/*");
}

TEST(DeployPlan, LeftoverTemporaryFilesAreRemoved) {
    Device d;
    d.file("lib/~mps0a1b2.tmp", 7).file(".mpyship/~mps00077.tmp", 9).file("lib/~mpsxyz.tmp", 1);
    DeployPlan plan = plan_ok(manifest({mf("lib/a.mpy", 1)}), d);
    EXPECT_EQ(actions(plan), "remove .mpyship/~mps00077.tmp (left by an interrupted deploy)\n"
                             "remove lib/~mps0a1b2.tmp (left by an interrupted deploy)\n"
                             "write lib/a.mpy (1 bytes, new)\n"); // first: the write reuses the name
}

TEST(DeployPlan, RefusesNamesFatCannotHoldAndFolderFileCollisions) {
    auto bad =
        make_plan(manifest({mf("a:b.mpy", 1), mf("Lib/x.mpy", 1), mf("lib/x.mpy", 1), mf("dot./y", 1)}),
                  DeviceTree{}, std::nullopt, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "the drive cannot hold these names (rename them in src/):\n"
                                   "  a:b.mpy: character ':' is not allowed on FAT\n"
                                   "  dot./y: FAT drops a trailing dot or space\n"
                                   "  lib/x.mpy: same name as Lib/x.mpy on a case-insensitive drive");
    Device d;
    d.file("lib", 3).file("x.mpy/inner", 1);
    auto clash = make_plan(manifest({mf("lib/a.mpy", 1), mf("x.mpy", 1)}), d.tree, std::nullopt, {});
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().message, "files and folders collide with the drive's (move them away first):\n"
                                     "  lib/a.mpy: the drive has a file lib where the build has a folder\n"
                                     "  x.mpy: the drive has a folder of that name");
}

TEST(SpaceCheck, RoundsToClustersAndReplaysThePeak) {
    EXPECT_EQ(round_to_cluster(0, 2048), 0u);
    EXPECT_EQ(round_to_cluster(1, 2048), 2048u);
    EXPECT_EQ(round_to_cluster(2049, 2048), 4096u);
    Device d;
    d.file("big.bin", 10000).file("old.py", 4096);
    auto m = manifest({mf("big.bin", 9000), mf("old.mpy", 100)});
    DeployPlan plan = plan_ok(m, d);
    // big.bin: the 9000-byte copy (5 clusters) exists beside the old one before the rename.
    SpaceCheck s = check_space(plan, {20480, 2048}, 0);
    EXPECT_EQ(s.peak_bytes, 5u * 2048 + 2048); // the new copy, plus a growing root folder
    EXPECT_TRUE(s.fits());
    SpaceCheck tight = check_space(plan, {8192, 2048}, 0);
    EXPECT_EQ(tight.missing, 12288u - 8192u);
}

} // namespace
} // namespace mpyship::deploy
