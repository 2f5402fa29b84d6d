// verify against a build folder, both archive kinds and a drive: every truncation and a bit flip of a
// built file is caught, as are missing and extra files.
#include "../support/test_support.h"

#include "mpyship/release/archive.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"

#include <gtest/gtest.h>

namespace mpyship::release {
namespace {

namespace fs = std::filesystem;

struct Fixture {
    test::TempDir dir;
    project::Manifest manifest;
    std::map<std::string, std::vector<std::uint8_t>> files{{"a.mpy", {'M', 6, 0, 31, 1, 2, 3, 4, 5}},
                                                           {"lib/b.py", {'p', 'r', 'i', 'n', 't'}}};
    Fixture() {
        for (auto& [path, data] : files) {
            fs::create_directories((dir.path() / "mpy" / path).parent_path());
            test::write_bytes(dir.path() / "mpy" / path, data);
            manifest.files.push_back({path, "mpy/" + path, sha256_hex(data), data.size()});
        }
        auto text = project::manifest_to_json(manifest);
        test::write_bytes(dir.path() / "manifest.json", {text.begin(), text.end()});
    }
    std::vector<ArchiveEntry> entries(const std::string& path, const std::vector<std::uint8_t>& replacement) {
        std::vector<ArchiveEntry> out;
        auto text = project::manifest_to_json(manifest);
        out.push_back({"manifest.json", {text.begin(), text.end()}});
        for (auto& [p, data] : files)
            out.push_back({"mpy/" + p, p == path ? replacement : data});
        return out;
    }
};

TEST(Verify, CleanFolderPasses) {
    Fixture f;
    auto r = verify_build_folder(f.dir.path());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(r->files_checked, 2u);
}

TEST(Verify, EveryTruncationAndABitFlipIsCaughtInFolderAndArchives) {
    Fixture f;
    const auto original = f.files["a.mpy"];
    int cases = 0;
    std::vector<std::vector<std::uint8_t>> variants;
    for (std::size_t n = 0; n < original.size(); ++n)
        variants.emplace_back(original.begin(), original.begin() + long(n));
    auto flipped = original;
    flipped[4] ^= 0x10;
    variants.push_back(flipped);
    for (const auto& v : variants) {
        test::write_bytes(f.dir.path() / "mpy" / "a.mpy", v);
        auto folder = verify_build_folder(f.dir.path());
        ASSERT_TRUE(folder);
        ASSERT_EQ(folder->problems.size(), 1u);
        EXPECT_EQ(folder->problems[0].path, "a.mpy");
        EXPECT_EQ(folder->problems[0].kind,
                  v.size() == original.size() ? ProblemKind::wrong_hash : ProblemKind::wrong_size);
        for (auto format : {ArchiveFormat::tar_gz, ArchiveFormat::zip}) {
            auto archive = f.dir.path() / (format == ArchiveFormat::zip ? "x.zip" : "x.tar.gz");
            ASSERT_TRUE(write_archive(archive, format, f.entries("a.mpy", v), 0));
            auto r = verify_archive(archive);
            ASSERT_TRUE(r) << r.error().to_string();
            ASSERT_EQ(r->problems.size(), 1u);
            EXPECT_EQ(r->problems[0].path, "a.mpy");
        }
        ++cases;
    }
    EXPECT_EQ(cases, int(original.size()) + 1);
}

TEST(Verify, MissingAndExtraFiles) {
    Fixture f;
    fs::remove(f.dir.path() / "mpy" / "lib" / "b.py");
    test::write_bytes(f.dir.path() / "mpy" / "stray.mpy", {1});
    auto r = verify_build_folder(f.dir.path());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->problems.size(), 2u);
    EXPECT_EQ(r->problems[0].kind, ProblemKind::missing);
    EXPECT_EQ(r->problems[0].path, "lib/b.py");
    EXPECT_EQ(r->problems[1].kind, ProblemKind::extra);
    EXPECT_EQ(r->problems[1].path, "stray.mpy");
}

TEST(Verify, DriveIgnoresUnlistedFiles) {
    Fixture f;
    test::TempDir drive;
    test::write_bytes(drive.path() / "boot_out.txt", {'x'});
    test::write_bytes(drive.path() / "a.mpy", f.files["a.mpy"]);
    auto r = verify_drive(drive.path(), f.manifest);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->problems.size(), 1u);
    EXPECT_EQ(r->problems[0].kind, ProblemKind::missing);
    EXPECT_EQ(r->problems[0].path, "lib/b.py");
}

TEST(Verify, ArchiveWithoutManifestIsAnError) {
    test::TempDir dir;
    auto path = dir.path() / "n.zip";
    ASSERT_TRUE(write_archive(path, ArchiveFormat::zip, {{"mpy/a.mpy", {1}}}, 0));
    auto r = verify_archive(path);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "archive has no manifest.json");
}

// Found by archive_reader_fuzz: 17 bytes of a truncated gzip stream, for which libarchive has no error
// text, crashed verify (a null char* into a std::string). Now a clear error naming the file.
TEST(Verify, TruncatedGzipWithoutLibarchiveTextIsAClearError) {
    test::TempDir dir;
    auto path = dir.path() / "t.tar.gz";
    const std::vector<std::uint8_t> bytes = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0xff, 0x86,
                                             0xed, 0x03, 0x00, 0xfa, 0x00, 0x02, 0x00, 0xf7};
    ASSERT_TRUE(write_file_atomic(path, bytes));
    auto r = verify_archive(path);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().path, path.string());
    EXPECT_NE(r.error().message.find("not a tar.gz or zip archive, or a damaged one"), std::string::npos)
        << r.error().message;
}

} // namespace
} // namespace mpyship::release
