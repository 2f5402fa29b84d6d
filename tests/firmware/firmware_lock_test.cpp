// mpyship.lock: resolving and writing it, reading it back, and builds refusing sources that do not match.
#include "../support/test_support.h"
#include "fake_micropython.h"

#include "mpyship/firmware/firmware_build.h"
#include "mpyship/firmware/firmware_lock.h"
#include "mpyship/firmware/git_rev.h"

#include <cstdlib>
#include <gtest/gtest.h>

namespace mpyship::firmware {
namespace {

namespace fs = std::filesystem;
using test::read_text;
using test::write_text;

class FirmwareLockTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_fake_micropython(mp());
        write_text(proj() / "patches/1.patch", test::level_patch(1, 2));
    }
    fs::path mp() const { return m_dir.path() / "mp"; }
    fs::path proj() const { return m_dir.path() / "proj"; }
    FirmwareConfig config(const std::string& section) {
        test::write_fake_project(proj(), section);
        auto c = load_firmware_config(proj());
        EXPECT_TRUE(c) << c.error().to_string();
        return *c;
    }
    void lock(const FirmwareConfig& c) {
        auto l = resolve_lock(c, m_dir.path() / "cache");
        ASSERT_TRUE(l) << l.error().to_string();
        write_text(proj() / k_lock_file, lock_text(*l));
    }
    Result<FirmwareBuildResult> build(const FirmwareConfig& c, const std::string& cache = "cache") {
        FirmwareBuildOptions o;
        o.cache_root = m_dir.path() / cache;
        o.mpyship_exe = test::mpyship_binary();
        o.jobs = 1;
        o.path_env = std::getenv("PATH");
        return build_firmware(c, o);
    }
    void git(const std::vector<std::string>& args) {
        std::vector<std::string> argv{"git",         "-C", mp().string(),   "-c",
                                      "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = test::run_program(argv);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string head() {
        return test::run_program({"git", "-C", mp().string(), "rev-parse", "HEAD"}).out.substr(0, 40);
    }

    test::TempDir m_dir;
};

const char* k_local =
    "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\npatches = [\"patches/1.patch\"]\n";

TEST_F(FirmwareLockTest, RoundTripsThroughTheFile) {
    FirmwareLock l{
        {"https://x/mp@v1", "abc", "111"}, LockedSource{"/lib", std::nullopt, "222"}, {{"p/1.patch", "333"}}};
    auto back = parse_lock(lock_text(l), "mpyship.lock");
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->micropython.source, "https://x/mp@v1");
    EXPECT_EQ(back->micropython.commit, "abc");
    EXPECT_EQ(back->micropython.tree_sha256, "111");
    EXPECT_EQ(back->micropython_lib->source, "/lib");
    EXPECT_FALSE(back->micropython_lib->commit);
    EXPECT_EQ(back->patches, l.patches);
    EXPECT_TRUE(lock_text(l).starts_with("# Written by `mpyship firmware lock`"));
    auto bad = parse_lock("version = 1\n[micropython]\nsource = \"x\"\n", "mpyship.lock");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "mpyship.lock:2:1: error: [micropython] needs 'source' and 'tree_sha256'");
}

TEST_F(FirmwareLockTest, LocalSourceAndPatchesMustMatch) {
    auto c = config(k_local);
    lock(c);
    auto ok = build(c);
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_TRUE(ok->ok);
    write_text(mp() / "py/mpconfig.h", "// fake mpconfig\n#define FAKE_LEVEL 1\n// dirty\n");
    auto dirty = build(c);
    ASSERT_FALSE(dirty);
    EXPECT_TRUE(dirty.error().message.starts_with("micropython source " + mp().string() +
                                                  " does not match mpyship.lock (tree sha256 "))
        << dirty.error().message;
    EXPECT_TRUE(dirty.error().message.ends_with(": run `mpyship firmware lock` to accept the change"));
    write_text(mp() / "py/mpconfig.h", "// fake mpconfig\n#define FAKE_LEVEL 1\n");
    write_text(proj() / "patches/1.patch", test::level_patch(1, 5));
    auto patched = build(c);
    ASSERT_FALSE(patched);
    EXPECT_EQ(patched.error().to_string(),
              (proj() / "patches/1.patch").string() +
                  ": patch 1 does not match mpyship.lock: run `mpyship firmware lock` to "
                  "accept the change");
    auto other = config("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp2\"\n");
    auto moved = build(other);
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().message, "mpyship.lock pins micropython " + mp().string() +
                                         " but mpyship.toml says " + (m_dir.path() / "mp2").string() +
                                         ": run `mpyship firmware lock` to accept the change");
}

TEST_F(FirmwareLockTest, GitSourceIsPinnedToTheLockedCommit) {
    git({"init", "-q"});
    git({"add", "-A"});
    git({"commit", "-q", "-m", "v1"});
    git({"tag", "v1"});
    std::string v1 = head();
    auto c =
        config("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = { git = \"../mp\", rev = \"v1\" }\n");
    lock(c);
    EXPECT_NE(read_text(proj() / k_lock_file).find("commit = '" + v1 + "'"), std::string::npos)
        << read_text(proj() / k_lock_file);
    auto ok = build(c);
    ASSERT_TRUE(ok) << ok.error().to_string();
    write_text(mp() / "py/mpconfig.h", "// moved\n");
    git({"commit", "-q", "-am", "v2"});
    git({"tag", "-f", "v1"});
    auto moved = build(c, "fresh-cache");
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().message, mp().string() + "@v1 resolves to " + head() +
                                         ", but mpyship.lock pins " + v1 +
                                         " (the revision moved: run `mpyship firmware lock` to accept it)")
        << moved.error().message;
    EXPECT_TRUE(fs::is_empty(m_dir.path() / "fresh-cache/firmware"))
        << "no tree is left from the refused source";
}

TEST_F(FirmwareLockTest, UnlockedBranchIsKeyedByTheCommitItPointsToNow) {
    git({"init", "-q", "-b", "main"});
    git({"add", "-A"});
    git({"commit", "-q", "-m", "one"});
    auto c =
        config("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = { git = \"../mp\", rev = \"main\" }\n");
    auto first = build(c);
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_NE(first->key.inputs.find(" main " + head() + " "), std::string::npos) << first->key.inputs;
    auto again = build(c);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->key.key, first->key.key);
    EXPECT_TRUE(again->up_to_date);
    // The branch moves: a new key, a fresh tree at the new commit (not the stale one cached under "main").
    write_text(mp() / "py/mpconfig.h", "#define FAKE_LEVEL 7\n");
    git({"commit", "-q", "-am", "two"});
    auto moved = build(c);
    ASSERT_TRUE(moved) << moved.error().to_string();
    EXPECT_NE(moved->key.key, first->key.key);
    EXPECT_TRUE(moved->prepared_now);
    EXPECT_EQ(read_text(moved->cache_dir / "tree/py/mpconfig.h"), "#define FAKE_LEVEL 7\n");
}

TEST_F(FirmwareLockTest, UnreachableRemoteLeavesANoteAndTheRevAsWritten) {
    auto c = config(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = { git = \"../nowhere\", rev = \"main\" }\n");
    FirmwareBuildOptions o;
    o.cache_root = m_dir.path() / "cache";
    std::string notes;
    o.on_note = [&](std::string_view n) { notes += std::string(n) + "\n"; };
    auto plan = plan_firmware_build(c, o);
    ASSERT_TRUE(plan) << plan.error().to_string();
    EXPECT_NE(notes.find("cannot ask " + (m_dir.path() / "nowhere").string() + " what 'main' points to: "),
              std::string::npos)
        << notes;
    EXPECT_NE(
        notes.find(
            "; micropython is keyed by the rev as written (run `mpyship firmware lock` to pin a commit)"),
        std::string::npos)
        << notes;
    EXPECT_NE(plan->key.inputs.find(" main - "), std::string::npos) << plan->key.inputs;
}

TEST(GitRev, PicksTheMostSpecificRef) {
    const std::string a(40, 'a'), b(40, 'b'), c(40, 'c'), d(40, 'd');
    std::string out = a + "\trefs/tags/v1\n" + b + "\trefs/tags/v1^{}\n" + c + "\trefs/heads/v1\n" + d +
                      "\trefs/heads/main\nnot a line\n";
    EXPECT_EQ(pick_ref(out, "v1"), b) << "an annotated tag is peeled to its commit";
    EXPECT_EQ(pick_ref(a + "\trefs/tags/v2\n" + c + "\trefs/heads/v2\n", "v2"), a) << "a tag before a branch";
    EXPECT_EQ(pick_ref(out, "main"), d);
    EXPECT_EQ(pick_ref(out, "refs/heads/main"), d);
    EXPECT_FALSE(pick_ref(out, "mai"));
    EXPECT_TRUE(is_full_commit(a));
    EXPECT_FALSE(is_full_commit("abc123"));
    EXPECT_EQ(resolve_remote_rev("/nonexistent", a).value(), a) << "a full commit needs no asking";
    EXPECT_FALSE(resolve_remote_rev("-upload-pack=x", "main"));
}

} // namespace
} // namespace mpyship::firmware
