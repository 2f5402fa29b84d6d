// Every golden .mpy (the shared corpus when present, and the subset kept in tests/data) must read, write
// back byte for byte, and disassemble.
#include "../support/test_support.h"

#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

namespace mpyship::test {
namespace {

struct Tally {
    int files = 0;
    int failures = 0;
};

void check_roundtrip(const std::filesystem::path& file, Tally& tally) {
    ++tally.files;
    auto bytes = read_bytes(file);
    auto module = mpy::read_module(bytes);
    if (!module) {
        ++tally.failures;
        ADD_FAILURE() << file << ": " << module.error().to_string();
        return;
    }
    auto written = mpy::write_module(*module);
    if (written != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) {
        ++tally.failures;
        ADD_FAILURE() << file << ": writer output differs from the original (" << written.size() << " vs "
                      << bytes.size() << " bytes)";
        return;
    }
    std::string text = mpy::disassemble(*module);
    auto json = mpy::disassemble_json(*module);
    EXPECT_FALSE(text.empty());
    EXPECT_TRUE(json.contains("code"));
}

void roundtrip_all(const std::vector<std::filesystem::path>& files) {
    ASSERT_FALSE(files.empty());
    Tally tally;
    for (const auto& f : files)
        check_roundtrip(f, tally);
    std::printf("round trip: %d of %d files identical\n", tally.files - tally.failures, tally.files);
    EXPECT_EQ(tally.failures, 0);
}

TEST(MpyRoundTrip, RepositorySubset) {
    roundtrip_all(files_with_suffix(data_dir() / "corpus", ".mpy"));
}

TEST(MpyRoundTrip, SharedCorpusMicroPython) {
    if (!have_shared_corpus())
        GTEST_SKIP() << "no shared corpus at " << corpus_dir();
    roundtrip_all(files_with_suffix(corpus_dir(), ".mp.mpy"));
}

TEST(MpyRoundTrip, SharedCorpusCircuitPython) {
    if (!have_shared_corpus())
        GTEST_SKIP() << "no shared corpus at " << corpus_dir();
    roundtrip_all(files_with_suffix(corpus_dir(), ".cp.mpy"));
}

} // namespace
} // namespace mpyship::test
