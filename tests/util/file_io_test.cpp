#include "../support/test_support.h"

#include "mpyship/util/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace mpyship {
namespace {

TEST(FileIo, AtomicWriteCreatesAndReplacesWithoutLeavingTemporaries) {
    test::TempDir dir;
    auto target = dir.path() / "out.bin";
    std::vector<std::uint8_t> first{1, 2, 3}, second{9};
    ASSERT_TRUE(write_file_atomic(target, first));
    ASSERT_TRUE(write_file_atomic(target, second));
    auto back = read_file(target);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, second);
    int entries = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 1);
}

TEST(FileIo, ReadErrorsNameTheFile) {
    auto missing = read_file("/nonexistent/dir/file.mpy");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().path, "/nonexistent/dir/file.mpy");
    EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
    test::TempDir dir;
    auto is_dir = read_file(dir.path());
    ASSERT_FALSE(is_dir);
    EXPECT_EQ(is_dir.error().message, "is a directory");
}

TEST(FileIo, AtomicWriteIntoMissingDirectoryFailsCleanly) {
    test::TempDir dir;
    std::vector<std::uint8_t> data{1};
    auto r = write_file_atomic(dir.path() / "no" / "such.bin", data);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("temporary"), std::string::npos);
}

} // namespace
} // namespace mpyship
