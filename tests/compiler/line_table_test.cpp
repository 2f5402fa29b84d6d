// The line-number table encoder against entries observed in reference output.
#include "mpyship/compiler/line_table.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

mpy::Bytes marks(std::initializer_list<std::pair<std::size_t, std::uint32_t>> list) {
    LineTable table;
    for (auto [offset, line] : list)
        table.mark(offset, line);
    return table.bytes();
}

TEST(LineTable, FirstLineNeedsNoEntry) {
    EXPECT_TRUE(marks({{0, 1}}).empty());
}

TEST(LineTable, SmallStepsUseOneByte) {
    EXPECT_EQ(marks({{0, 2}, {3, 3}}), (mpy::Bytes{0x20, 0x23}));
}

TEST(LineTable, SixLinesSplitIntoThrees) {
    // From the reference: line 1 -> 7 after 4 bytes is 0x64 0x60.
    EXPECT_EQ(marks({{4, 7}}), (mpy::Bytes{0x64, 0x60}));
}

TEST(LineTable, GoingBackIsIgnored) {
    EXPECT_EQ(marks({{0, 5}, {2, 3}, {4, 6}}), (mpy::Bytes{0x60, 0x20, 0x24}));
}

TEST(LineTable, SevenLinesUseTheLongForm) {
    EXPECT_EQ(marks({{5, 8}}), (mpy::Bytes{0x85, 0x07}));
}

TEST(LineTable, ManyBytesSkipBytesFirst) {
    // 40 bytes, 10 lines: bytes > 15 forces the short form, lines wait until few enough bytes remain.
    EXPECT_EQ(marks({{40, 11}}), (mpy::Bytes{0x1f, 0x89, 0x0a}));
}

TEST(LineTable, HugeLineGapsSplitAt2047) {
    EXPECT_EQ(marks({{2, 1 + 3000}}), (mpy::Bytes{0xf2, 0xff, 0xb0, 0xb9}));
}

} // namespace
} // namespace mpyship::compiler
