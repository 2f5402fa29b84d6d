// Release archives with real tools: listing with tar and unzip, reproducibility across time zones,
// and the reader's refusal of unsafe members.
#include "../support/test_support.h"

#include "mpyship/release/archive.h"

#include <cstdlib>
#include <gtest/gtest.h>

namespace mpyship::release {
namespace {

std::vector<ArchiveEntry> entries() {
    return {{"mpy/lib/b.mpy", {1, 2, 3}}, {"manifest.json", {'{', '}'}}, {"mpy/a.py", {'x', '\n'}}};
}

TEST(Archive, TarGzListsSortedEntriesWithFixedOwnership) {
    test::TempDir dir;
    auto path = dir.path() / "out.tar.gz";
    ASSERT_TRUE(write_archive(path, ArchiveFormat::tar_gz, entries(), 1700000000));
    auto r = test::run_program({"/usr/bin/tar", "-tzvf", path.string(), "--numeric-owner"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("-rw-r--r-- 0/0               2 2023-11-14 22:13 manifest.json"), std::string::npos)
        << r.out;
    auto names = test::run_program({"/usr/bin/tar", "-tzf", path.string()});
    EXPECT_EQ(names.out, "manifest.json\nmpy/\nmpy/a.py\nmpy/lib/\nmpy/lib/b.mpy\n");
    auto bytes = test::read_bytes(path);
    ASSERT_GT(bytes.size(), 10u);
    EXPECT_EQ(bytes[3] & 0x08, 0);                           // gzip FNAME flag: no file name
    EXPECT_EQ(bytes[4] | bytes[5] | bytes[6] | bytes[7], 0); // gzip MTIME is zero
}

TEST(Archive, ZipListsWithUnzip) {
    test::TempDir dir;
    auto path = dir.path() / "out.zip";
    ASSERT_TRUE(write_archive(path, ArchiveFormat::zip, entries(), 1700000000));
    auto r = test::run_program({"/usr/bin/unzip", "-l", path.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("mpy/lib/b.mpy"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2023-11-14 22:13"), std::string::npos) << r.out;
    auto t = test::run_program({"/usr/bin/unzip", "-tq", path.string()});
    EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
}

TEST(Archive, SameBytesInAnyTimeZoneAndOrder) {
    test::TempDir dir;
    for (auto format : {ArchiveFormat::tar_gz, ArchiveFormat::zip}) {
        setenv("TZ", "America/Los_Angeles", 1);
        ASSERT_TRUE(write_archive(dir.path() / "a", format, entries(), 1700000000));
        auto reversed = entries();
        std::reverse(reversed.begin(), reversed.end());
        setenv("TZ", "Asia/Kolkata", 1);
        ASSERT_TRUE(write_archive(dir.path() / "b", format, reversed, 1700000000));
        unsetenv("TZ");
        EXPECT_EQ(test::read_bytes(dir.path() / "a"), test::read_bytes(dir.path() / "b"));
    }
}

Result<void> ignore_members(const ArchiveMember&, MemberData&) { return {}; }

std::vector<std::string> member_names(const std::filesystem::path& path) {
    std::vector<std::string> names;
    auto r = read_archive(path, [&](const ArchiveMember& m, MemberData&) -> Result<void> {
        names.push_back(m.name);
        return {};
    });
    EXPECT_TRUE(r) << r.error().to_string();
    return names;
}

// Names are written and read as UTF-8 whatever the locale (the test runs under LC_ALL=C via ctest's
// environment or not at all: the writer must not depend on it), and tar and unzip list them.
TEST(Archive, NonAsciiNamesRoundTripInBothFormats) {
    test::TempDir dir;
    const std::string name = "mpy/\xc3\xa9 mod.mpy";
    for (auto format : {ArchiveFormat::tar_gz, ArchiveFormat::zip}) {
        auto path = dir.path() / (format == ArchiveFormat::zip ? "u.zip" : "u.tar.gz");
        auto w = write_archive(path, format, {{name, {1, 2}}}, 0);
        ASSERT_TRUE(w) << w.error().to_string();
        auto names = member_names(path);
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end());
        auto listed = format == ArchiveFormat::zip
                          ? test::run_program({"/usr/bin/unzip", "-Z1", path.string()})
                          : test::run_program({"/usr/bin/tar", "-tzf", path.string()});
        EXPECT_EQ(listed.exit_code, 0) << listed.err;
        EXPECT_NE(listed.out.find(name), std::string::npos) << listed.out;
    }
}

// `tar -C dir .` writes "./" before every name: accepted, and the names are read without it.
TEST(Archive, DotSlashPrefixedMembersAreAccepted) {
    test::TempDir dir;
    auto src = dir.path() / "src";
    std::filesystem::create_directories(src / "mpy");
    test::write_bytes(src / "mpy" / "a.mpy", {'x'});
    auto tar = dir.path() / "dot.tar.gz";
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-czf", tar.string(), "-C", src.string(), "."}).exit_code, 0);
    auto names = member_names(tar);
    EXPECT_NE(std::find(names.begin(), names.end(), "mpy/a.mpy"), names.end());
}

TEST(Archive, DuplicateMembersAreRefused) {
    test::TempDir dir;
    test::write_bytes(dir.path() / "f", {'1'});
    auto tar = dir.path() / "dup.tar";
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-cf", tar.string(), "-C", dir.path().string(), "f"}).exit_code,
              0);
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-rf", tar.string(), "-C", dir.path().string(), "f"}).exit_code,
              0);
    auto r = read_archive(tar, ignore_members);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("archive member 'f' appears more than once"), std::string::npos)
        << r.error().message;
}

TEST(Archive, ReaderReturnsMembersAndRejectsUnsafeOnes) {
    test::TempDir dir;
    auto path = dir.path() / "ok.tar.gz";
    ASSERT_TRUE(write_archive(path, ArchiveFormat::tar_gz, entries(), 0));
    std::vector<std::string> files;
    ASSERT_TRUE(read_archive(path, [&](const ArchiveMember& m, MemberData& data) -> Result<void> {
        if (!m.is_directory)
            files.push_back(m.name + ":" + std::to_string(read_member(m, data, 1 << 20)->size()));
        return {};
    }));
    EXPECT_EQ(files, (std::vector<std::string>{"manifest.json:2", "mpy/a.py:2", "mpy/lib/b.mpy:3"}));

    // A tar made by the real tool with a symlink and a '..' member.
    auto src = dir.path() / "src";
    std::filesystem::create_directories(src);
    test::write_bytes(src / "f", {'x'});
    std::filesystem::create_symlink("f", src / "link");
    auto link_tar = dir.path() / "link.tar.gz";
    ASSERT_EQ(
        test::run_program({"/usr/bin/tar", "-czf", link_tar.string(), "-C", src.string(), "link"}).exit_code,
        0);
    auto r = read_archive(link_tar, ignore_members);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos) << r.error().message;
    auto dotdot_tar = dir.path() / "dotdot.tar.gz";
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-czf", dotdot_tar.string(), "-C", src.string(),
                                 "--transform", "s,^f,../evil,", "f"})
                  .exit_code,
              0);
    auto d = read_archive(dotdot_tar, ignore_members);
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("unsafe path"), std::string::npos) << d.error().message;
    auto garbage = dir.path() / "garbage.zip";
    test::write_bytes(garbage, {'P', 'K', 3, 4, 0, 0});
    EXPECT_FALSE(read_archive(garbage, ignore_members));
}

} // namespace
} // namespace mpyship::release
