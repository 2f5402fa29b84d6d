// The reader on malformed input: every truncation, single-bit flips and crafted headers must give an
// error with an offset inside the input (or, for a flip that still forms a valid file, a clean read),
// never a crash. Run under ASan + UBSan in CI.
#include "../support/test_support.h"

#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

namespace mpyship::mpy {
namespace {

std::vector<std::filesystem::path> sample_files() {
    auto files = test::files_with_suffix(test::data_dir() / "snapshots", ".mpy");
    auto corpus = test::files_with_suffix(test::data_dir() / "corpus" / "compile", ".mp.mpy");
    for (std::size_t i = 0; i < corpus.size() && i < 6; ++i)
        files.push_back(corpus[i]);
    return files;
}

TEST(ReaderNegative, EveryTruncationIsAnErrorInsideTheInput) {
    int cases = 0;
    for (const auto& file : sample_files()) {
        auto bytes = test::read_bytes(file);
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            auto r = read_module(std::span<const std::uint8_t>(bytes.data(), n));
            ++cases;
            ASSERT_FALSE(r) << file << " truncated to " << n << " bytes was accepted";
            EXPECT_LE(r.error().offset, n) << file << " truncated to " << n;
            EXPECT_FALSE(r.error().what.empty());
        }
    }
    std::printf("truncation cases: %d\n", cases);
    EXPECT_GT(cases, 1000);
}

TEST(ReaderNegative, SingleBitFlipsNeverCrash) {
    int cases = 0, errors = 0;
    for (const auto& file : sample_files()) {
        auto bytes = test::read_bytes(file);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto copy = bytes;
                copy[i] ^= std::uint8_t(1 << bit);
                auto r = read_module(copy);
                ++cases;
                if (!r) {
                    ++errors;
                    EXPECT_LT(r.error().offset, copy.size() + 1);
                } else {
                    // Whatever was accepted must be writable again.
                    EXPECT_FALSE(write_module(*r).empty());
                }
            }
        }
    }
    std::printf("bit-flip cases: %d, rejected: %d\n", cases, errors);
    EXPECT_GT(errors, cases / 4);
}

Bytes header(std::uint8_t magic = 'M', std::uint8_t version = 6, std::uint8_t features = 0) {
    return Bytes{magic, version, features, 31};
}

void expect_error(const Bytes& data, std::size_t offset, const std::string& fragment) {
    auto r = read_module(data);
    ASSERT_FALSE(r) << "accepted";
    EXPECT_EQ(r.error().offset, offset) << r.error().to_string();
    EXPECT_NE(r.error().what.find(fragment), std::string::npos) << r.error().to_string();
}

TEST(ReaderNegative, CraftedHeadersAndCounts) {
    expect_error(Bytes{}, 0, "unexpected end of file");
    expect_error(header('X'), 0, "not a .mpy file");
    expect_error(header('M', 5), 1, "unsupported .mpy version 5");
    expect_error(header('M', 6, 0x80), 2, "reserved feature bit");
    expect_error(header('M', 6, 15 << 2), 2, "unknown native architecture");
    // Huge qstr count with nothing behind it.
    Bytes huge = header();
    huge.insert(huge.end(), {0x8f, 0xff, 0xff, 0xff, 0x7f});
    expect_error(huge, 4, "qstr count");
    // One qstr whose length runs past the end.
    Bytes long_qstr = header();
    long_qstr.insert(long_qstr.end(), {1, 0, 0x81, 0x00, 'a'});
    expect_error(long_qstr, 8, "qstr text");
    // Static qstr index out of range.
    Bytes bad_static = header();
    bad_static.insert(bad_static.end(), {1, 0, 0x8f, 0x7f});
    expect_error(bad_static, 6, "static qstr index");
    // Unknown constant kind.
    Bytes bad_const = header();
    bad_const.insert(bad_const.end(), {0, 1, 42});
    expect_error(bad_const, 6, "unknown constant kind 42");
    // Deeply nested tuples.
    Bytes nested = header();
    nested.insert(nested.end(), {0, 1});
    for (int i = 0; i < 1000; ++i)
        nested.insert(nested.end(), {10, 1});
    auto r = read_module(nested);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().what.find("nested deeper"), std::string::npos);
}

// A minimal module: qstrs ["m.py", "<module>"], code LOAD_CONST_NONE RETURN_VALUE, with hooks to corrupt it.
Bytes module_with_code(const Bytes& opcodes, std::uint8_t n_obj = 0) {
    Module m;
    m.qstrs = {Qstr{false, 0, "m.py"}, Qstr{false, 0, "<module>"}};
    for (std::uint8_t i = 0; i < n_obj; ++i)
        m.constants.push_back(Constant{ObjKind::none, {}, {}});
    m.root.prelude.n_state = 2;
    m.root.prelude.simple_name = 1;
    m.root.bytecode = opcodes;
    return write_module(m);
}

TEST(ReaderNegative, DanglingIndicesInBytecode) {
    ASSERT_TRUE(read_module(module_with_code({0x51, 0x63})));
    auto qstr = module_with_code({0x11, 0x05, 0x63}); // LOAD_NAME qstr 5 of 2
    auto r = read_module(qstr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what, "LOAD_NAME qstr index 5 is out of range (2)");
    EXPECT_EQ(r.error().offset, qstr.size() - 3);
    auto obj = read_module(module_with_code({0x23, 0x01, 0x63}, 1)); // LOAD_CONST_OBJ 1 of 1
    ASSERT_FALSE(obj);
    EXPECT_EQ(obj.error().what, "LOAD_CONST_OBJ constant index 1 is out of range (1)");
    auto child = read_module(module_with_code({0x32, 0x00, 0x63})); // MAKE_FUNCTION child 0 of 0
    ASSERT_FALSE(child);
    EXPECT_EQ(child.error().what, "MAKE_FUNCTION child index 0 is out of range (0)");
    auto jump = read_module(module_with_code({0x42, 0x50, 0x63})); // JUMP +16 past the end
    ASSERT_FALSE(jump);
    EXPECT_NE(jump.error().what.find("outside the code"), std::string::npos);
    auto unknown = read_module(module_with_code({0x01, 0x63}));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().what, "unknown opcode 0x01");
}

TEST(ReaderNegative, TrailingBytesAreRejected) {
    auto data = module_with_code({0x51, 0x63});
    data.push_back(0);
    auto r = read_module(data);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, data.size() - 1);
    EXPECT_NE(r.error().what.find("trailing"), std::string::npos);
}

} // namespace
} // namespace mpyship::mpy
