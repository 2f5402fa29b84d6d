#include "../support/test_support.h"

#include "mpyship/util/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

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

// Build outputs: replaced in place through a temporary file, permissions 0644 less the umask, the returned
// time is the file's own, and a temporary name left behind by a killed build is passed over, not reused.
TEST(FileIo, BuildOutputReplacesWithTheUmasksPermissionsAndItsOwnTime) {
    test::TempDir dir;
    auto target = dir.path() / "x.mpy";
    std::vector<std::uint8_t> first{1, 2, 3}, second{4, 5};
    const mode_t old_mask = ::umask(027);
    auto written = write_build_output(target, first);
    ::umask(old_mask);
    ASSERT_TRUE(written) << written.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(*written, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
    // Stale temporaries under every name the next writes could pick (this process's pid, counters 0..99).
    for (int k = 0; k < 100; ++k)
        ASSERT_TRUE(write_file_replace(dir.path() / (".x.mpy.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(k)),
                                       std::string_view("stale")));
    auto again = write_build_output(target, second);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(*read_file(target), second);
    int entries = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 101); // the output and the stale files, nothing of its own left behind
    auto missing = write_build_output(dir.path() / "no" / "y.mpy", second);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().path, (dir.path() / "no" / "y.mpy").string());
    EXPECT_NE(missing.error().message.find("temporary"), std::string::npos);
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

// `mpy-cross -o /dev/null` run as root once replaced /dev/null with a regular file (the rename of the
// temporary file). A FIFO stands for any device here: it must still be a FIFO afterwards and hold the
// bytes, from both writers. The test keeps the FIFO open for reading and writing itself (non-blocking),
// so nothing waits whatever the writer does.
TEST(FileIo, WritesIntoAFifoInsteadOfRenamingOverIt) {
    test::TempDir dir;
    const auto fifo = dir.path() / "out.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    for (bool durable : {true, false}) {
        const std::vector<std::uint8_t> data{'M', 6, 0, std::uint8_t(durable ? 31 : 32)};
        auto w = durable ? write_file_atomic(fifo, data) : write_file_replace(fifo, data);
        ASSERT_TRUE(w) << w.error().to_string();
        std::uint8_t buf[16];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        EXPECT_EQ(std::vector<std::uint8_t>(buf, buf + std::max<ssize_t>(n, 0)), data);
        struct stat st {};
        ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
        EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
    }
    ::close(fd);
    int entries = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 1); // no temporary file left
}

} // namespace
} // namespace mpyship
