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
    EXPECT_NE(r.out.find("-rw-r--r-- 0/0               2 2023-11-14 22:13 manifest.json"), std::string::npos) << r.out;
    auto names = test::run_program({"/usr/bin/tar", "-tzf", path.string()});
    EXPECT_EQ(names.out, "manifest.json\nmpy/\nmpy/a.py\nmpy/lib/\nmpy/lib/b.mpy\n");
    auto bytes = test::read_bytes(path);
    ASSERT_GT(bytes.size(), 10u);
    EXPECT_EQ(bytes[3] & 0x08, 0); // gzip FNAME flag: no file name
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

TEST(Archive, ReaderReturnsMembersAndRejectsUnsafeOnes) {
    test::TempDir dir;
    auto path = dir.path() / "ok.tar.gz";
    ASSERT_TRUE(write_archive(path, ArchiveFormat::tar_gz, entries(), 0));
    std::vector<std::string> files;
    ASSERT_TRUE(read_archive(path, [&](ArchiveMember&& m) {
        if (!m.is_directory)
            files.push_back(m.name + ":" + std::to_string(m.data.size()));
    }));
    EXPECT_EQ(files, (std::vector<std::string>{"manifest.json:2", "mpy/a.py:2", "mpy/lib/b.mpy:3"}));

    // A tar made by the real tool with a symlink and a '..' member.
    auto src = dir.path() / "src";
    std::filesystem::create_directories(src);
    test::write_bytes(src / "f", {'x'});
    std::filesystem::create_symlink("f", src / "link");
    auto link_tar = dir.path() / "link.tar.gz";
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-czf", link_tar.string(), "-C", src.string(), "link"}).exit_code, 0);
    auto r = read_archive(link_tar, [](ArchiveMember&&) {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos) << r.error().message;
    auto dotdot_tar = dir.path() / "dotdot.tar.gz";
    ASSERT_EQ(test::run_program({"/usr/bin/tar", "-czf", dotdot_tar.string(), "-C", src.string(), "--transform",
                                 "s,^f,../evil,", "f"})
                  .exit_code,
              0);
    auto d = read_archive(dotdot_tar, [](ArchiveMember&&) {});
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("unsafe path"), std::string::npos) << d.error().message;
    auto garbage = dir.path() / "garbage.zip";
    test::write_bytes(garbage, {'P', 'K', 3, 4, 0, 0});
    EXPECT_FALSE(read_archive(garbage, [](ArchiveMember&&) {}));
}

} // namespace
} // namespace mpyship::release
