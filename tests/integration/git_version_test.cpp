// The manifest's version from `git describe` when neither --version nor the config sets one: the answer is
// kept between builds (project/git_version.h) and must still follow new commits, new tags and uncommitted
// edits. Every expectation is what git itself answers at that moment, so the test compares with the real
// program rather than with a model of it.
#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

bool have_git() {
    return run_program({"git", "--version"}).exit_code == 0;
}

void git(const fs::path& repo, std::vector<std::string> args) {
    std::vector<std::string> argv{"git",
                                  "-C",
                                  repo.string(),
                                  "-c",
                                  "user.name=t",
                                  "-c",
                                  "user.email=t@example.com",
                                  "-c",
                                  "commit.gpgsign=false",
                                  "-c",
                                  "tag.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_program(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::string git_describe(const fs::path& repo) {
    auto r = run_program({"git", "-C", repo.string(), "describe", "--tags", "--always", "--dirty"});
    std::string v = r.out;
    while (!v.empty() && v.back() == '\n')
        v.pop_back();
    return v;
}

std::string built_version(const fs::path& project) {
    auto r = run_mpyship({"build", project.string(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? "(no json)" : j.value("version", "(no version)");
}

class GitVersion : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_git())
            GTEST_SKIP() << "git is not installed";
        m_project = m_dir.path() / "repo" / "app";
        write_text_file(m_project / "mpyship.toml", "[project]\ntarget = \"micropython\"\n");
        write_text_file(m_project / "src" / "main.py", "import lib\n");
        write_text_file(m_project / "src" / "lib.py", "X = 1\n");
        write_text_file(m_dir.path() / "repo" / ".gitignore", "build/\n");
        git(repo(), {"init", "-q"});
        git(repo(), {"add", "."});
        git(repo(), {"commit", "-q", "-m", "first"});
    }
    fs::path repo() const { return m_dir.path() / "repo"; }

    TempDir m_dir;
    fs::path m_project;
};

TEST_F(GitVersion, FollowsCommitsTagsAndEdits) {
    std::string untagged = built_version(m_project); // --always: the abbreviated commit
    EXPECT_EQ(untagged, git_describe(repo()));
    EXPECT_TRUE(fs::exists(m_project / "build" / ".mpyship" / "git-describe"));
    EXPECT_EQ(built_version(m_project), untagged); // from the cache, same answer

    git(repo(), {"tag", "v1.0"});
    EXPECT_EQ(built_version(m_project), "v1.0");
    git(repo(), {"tag", "-a", "-m", "nested", "release/v1.1"});
    EXPECT_EQ(built_version(m_project), git_describe(repo()));

    write_text_file(m_project / "src" / "lib.py", "X = 2\n"); // an uncommitted edit of a source
    std::string dirty = built_version(m_project);
    EXPECT_TRUE(dirty.ends_with("-dirty")) << dirty;
    EXPECT_EQ(dirty, git_describe(repo()));

    git(repo(), {"commit", "-q", "-am", "second"});
    std::string after = built_version(m_project);
    EXPECT_EQ(after, git_describe(repo()));
    EXPECT_FALSE(after.ends_with("-dirty")) << after;

    git(repo(), {"pack-refs", "--all"}); // tags moved into packed-refs: the same answer
    EXPECT_EQ(built_version(m_project), after);
    git(repo(), {"tag", "v2.0"});
    EXPECT_EQ(built_version(m_project), "v2.0");
    git(repo(), {"checkout", "-q", "v1.0"}); // a detached HEAD (where release/v1.1 is too)
    EXPECT_EQ(built_version(m_project), git_describe(repo()));
}

TEST_F(GitVersion, DamagedCacheIsAskedAgain) {
    git(repo(), {"tag", "v3"});
    EXPECT_EQ(built_version(m_project), "v3");
    write_text_file(m_project / "build" / ".mpyship" / "git-describe", "garbage\n=> wrong\n");
    EXPECT_EQ(built_version(m_project), "v3");
}

TEST(GitVersionOutside, NoRepositoryIsUnversioned) {
    TempDir dir;
    if (run_program({"git", "-C", dir.path().string(), "rev-parse", "--git-dir"}).exit_code == 0)
        GTEST_SKIP() << "the temporary folder is inside a git repository";
    write_text_file(dir.path() / "p" / "mpyship.toml", "[project]\ntarget = \"micropython\"\n");
    write_text_file(dir.path() / "p" / "src" / "a.py", "A = 1\n");
    EXPECT_EQ(built_version(dir.path() / "p"), "unversioned");
}

} // namespace
} // namespace mpyship::test
