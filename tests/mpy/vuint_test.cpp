// vuint and prelude encodings: writer and reader agree, and the bytes match the documented layout.
#include "mpyship/mpy/byte_reader.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

namespace mpyship::mpy {
namespace {

TEST(Vuint, EncodesMostSignificantGroupFirst) {
    Bytes out;
    put_vuint(out, 0);
    put_vuint(out, 127);
    put_vuint(out, 128);
    put_vuint(out, 300);
    EXPECT_EQ(out, (Bytes{0x00, 0x7f, 0x81, 0x00, 0x82, 0x2c}));
}

TEST(Vuint, RoundTripsAcrossTheRange) {
    for (std::uint64_t v : {0ull, 1ull, 63ull, 64ull, 127ull, 128ull, 16383ull, 16384ull, 1ull << 32,
                            (1ull << 63) + 12345, ~0ull}) {
        Bytes out;
        put_vuint(out, v);
        ByteReader in(out);
        EXPECT_EQ(in.vuint("value"), v);
        EXPECT_TRUE(in.at_end());
    }
}

TEST(Vuint, RejectsTruncatedAndOverlongValues) {
    Bytes truncated{0x81, 0x80};
    ByteReader a(truncated);
    EXPECT_THROW(a.vuint("value"), FormatError);
    Bytes overlong(11, 0xff);
    overlong.push_back(0);
    ByteReader b(overlong);
    EXPECT_THROW(b.vuint("value"), FormatError);
}

TEST(Prelude, SignatureEncodingMatchesTheReference) {
    // def f(a, b=2, *args, c, d=4, **kw) with 10 state slots: values read from mpy-cross output.
    Prelude p;
    p.n_state = 10;
    p.scope_flags = 0x0e;
    p.n_pos_args = 2;
    p.n_def_pos_args = 1;
    p.n_kwonly_args = 2;
    Bytes out;
    put_prelude_signature(out, p);
    // xSSSSEAA: S=9 -> 1001, E=0, A=2 -> 0x80|0x48|0x02; then F,S,K,A,E,D bits.
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[0], 0x80 | (9 << 3) | 2);
    EXPECT_EQ(out[1] & 0x7f, (0 << 6) | (0 << 4) | (0 << 3) | (0 << 2) | (0 << 1) | 1);
}

TEST(Prelude, SizeEncodingInterleavesInfoAndCells) {
    Bytes out;
    put_prelude_size(out, 5, 0);
    EXPECT_EQ(out, (Bytes{5 << 1}));
    out.clear();
    put_prelude_size(out, 64, 3);
    // first byte: I low 6 bits (0) and C bit 0 (1), continued; second: I=1, C=1.
    EXPECT_EQ(out, (Bytes{0x81, (1 << 1) | 1}));
}

TEST(LineInfo, DecodesShortAndLongEntries) {
    Bytes li{0x25, 0x93, 0x10};
    std::size_t bad = 0;
    auto entries = decode_line_info(li, &bad);
    EXPECT_EQ(bad, SIZE_MAX);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].bytecode_delta, 5u);
    EXPECT_EQ(entries[0].line_delta, 1u);
    EXPECT_EQ(entries[1].bytecode_delta, 3u);
    EXPECT_EQ(entries[1].line_delta, 0x110u);
    Bytes cut{0x93};
    decode_line_info(cut, &bad);
    EXPECT_EQ(bad, 0u);
}

} // namespace
} // namespace mpyship::mpy
