// FolderCache on real folders: a settled folder is not read again, any change to it is seen, a folder changed
// too recently is never remembered, and a damaged file is an empty cache. "Now" is passed in so that folders
// made by the test a moment ago count as settled (an hour later) or not (now).
#include "mpyship/project/folder_cache.h"

#include "../support/test_support.h"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_text_file;

constexpr std::int64_t k_hour_ns = 3600LL * 1'000'000'000;

std::string names(const std::vector<DirEntry>& entries) {
    std::string out;
    for (const auto& e : entries)
        out += e.name + (e.type == EntryType::directory ? "/ " : " ");
    return out;
}

// Lists every folder given, then saves; returns the names seen in each.
std::vector<std::string> list_all(FolderCache& cache, const std::vector<fs::path>& dirs) {
    std::vector<std::string> out;
    for (const auto& d : dirs) {
        auto entries = cache.list(d.string());
        EXPECT_TRUE(entries) << entries.error().to_string();
        out.push_back(entries ? names(**entries) : "");
    }
    EXPECT_TRUE(cache.save());
    return out;
}

// Sets a folder's mtime an hour back, so that the next change to it moves the mtime for certain (two changes
// within one tick of the file system's clock could leave it where it was: the race the settle time covers).
void age(const fs::path& dir) {
    fs::last_write_time(dir, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

struct Tree {
    TempDir tmp;
    fs::path file = tmp.path() / "state" / "folders.tsv";
    fs::path a = tmp.path() / "a";
    fs::path b = tmp.path() / "a" / "b";
    Tree() {
        write_text_file(a / "x.py", "x");
        write_text_file(b / "y.py", "y");
        age(a);
        age(b);
    }
};

TEST(FolderCache, ASettledFolderIsNotReadAgainAndAChangeIsSeen) {
    Tree t;
    const std::int64_t later = FolderCache::wall_clock_ns() + k_hour_ns;
    auto first = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(first, {t.a, t.b}), (std::vector<std::string>{"b/ x.py ", "y.py "}));
    EXPECT_EQ(first.folders_read(), 2u);
    ASSERT_TRUE(fs::exists(t.file));

    auto second = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(second, {t.a, t.b}), (std::vector<std::string>{"b/ x.py ", "y.py "}));
    EXPECT_EQ(second.folders_read(), 0u);

    // A new file, a removed one and a renamed one: each moves the folder's times.
    write_text_file(t.b / "z.py", "z");
    auto third = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(third, {t.a, t.b}), (std::vector<std::string>{"b/ x.py ", "y.py z.py "}));
    EXPECT_EQ(third.folders_read(), 1u);
    age(t.b);
    auto aged = FolderCache::load(t.file, later);
    list_all(aged, {t.a, t.b});
    fs::rename(t.a / "x.py", t.a / "w.py");
    fs::remove(t.b / "y.py");
    auto fourth = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(fourth, {t.a, t.b}), (std::vector<std::string>{"b/ w.py ", "z.py "}));
    EXPECT_EQ(fourth.folders_read(), 2u);
}

TEST(FolderCache, AFolderReplacedByAnotherIsReadAgain) {
    Tree t;
    const std::int64_t later = FolderCache::wall_clock_ns() + k_hour_ns;
    auto first = FolderCache::load(t.file, later);
    list_all(first, {t.b});
    fs::rename(t.b, t.tmp.path() / "old-b");
    write_text_file(t.b / "other.py", "o");
    auto second = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(second, {t.b}), (std::vector<std::string>{"other.py "}));
    EXPECT_EQ(second.folders_read(), 1u);
}

TEST(FolderCache, AFolderChangedTooRecentlyIsNotRemembered) {
    Tree t;
    const std::int64_t now = FolderCache::wall_clock_ns();
    auto first = FolderCache::load(t.file, now);
    list_all(first, {t.a, t.b});
    auto second = FolderCache::load(t.file, now);
    list_all(second, {t.a, t.b});
    EXPECT_EQ(second.folders_read(), 2u);
}

TEST(FolderCache, ADamagedFileIsAnEmptyCache) {
    Tree t;
    const std::int64_t later = FolderCache::wall_clock_ns() + k_hour_ns;
    auto first = FolderCache::load(t.file, later);
    list_all(first, {t.a, t.b});
    std::string text;
    {
        std::ifstream in(t.file, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    ASSERT_GT(text.size(), 20u);
    for (const std::string& damaged : {text.substr(0, text.size() - 3), "junk\n" + text, text + "1 2 3\n"}) {
        write_text_file(t.file, damaged);
        auto cache = FolderCache::load(t.file, later);
        EXPECT_EQ(list_all(cache, {t.a, t.b}), (std::vector<std::string>{"b/ x.py ", "y.py "}));
        EXPECT_EQ(cache.folders_read(), 2u) << damaged;
    }
}

TEST(FolderCache, NamesWithANewlineAreListedButNotRemembered) {
    Tree t;
    write_text_file(t.b / "odd\nname.py", "o");
    const std::int64_t later = FolderCache::wall_clock_ns() + k_hour_ns;
    auto first = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(first, {t.b}), (std::vector<std::string>{"odd\nname.py y.py "}));
    auto second = FolderCache::load(t.file, later);
    EXPECT_EQ(list_all(second, {t.b}), (std::vector<std::string>{"odd\nname.py y.py "}));
    EXPECT_EQ(second.folders_read(), 1u);
}

TEST(FolderCache, AMissingFolderIsAnErrorNamingIt) {
    Tree t;
    auto cache = FolderCache::load(t.file);
    auto r = cache.list((t.tmp.path() / "nope").string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().path, (t.tmp.path() / "nope").string());
    EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace mpyship::project
