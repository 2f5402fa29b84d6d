#include "mpyship/mpy/opcodes.h"

#include <gtest/gtest.h>

namespace mpyship::mpy {
namespace {

TEST(Opcodes, DecodesMultiOpcodes) {
    std::uint8_t code[] = {0x70, 0x80, 0xaf, 0xb3, 0xc5, 0xd3, 0xd7 + 27};
    std::int64_t want[] = {-16, 0, 47, 3, 5, 3, 27};
    for (std::size_t i = 0; i < std::size(code); ++i) {
        auto ins = decode_instruction(code, i, nullptr);
        ASSERT_TRUE(ins);
        EXPECT_EQ(ins->size, 1u);
        EXPECT_EQ(ins->arg, want[i]);
    }
    EXPECT_EQ(binary_op_name(27), "ADD");
    EXPECT_EQ(unary_op_name(3), "NOT");
}

TEST(Opcodes, DecodesSignedSmallInts) {
    std::uint8_t pos[] = {op::LOAD_CONST_SMALL_INT, 0x81, 0x00};  // 128
    std::uint8_t neg[] = {op::LOAD_CONST_SMALL_INT, 0x7f};        // -1
    std::uint8_t neg2[] = {op::LOAD_CONST_SMALL_INT, 0xff, 0x00}; // -128
    EXPECT_EQ(decode_instruction(pos, 0, nullptr)->arg, 128);
    EXPECT_EQ(decode_instruction(neg, 0, nullptr)->arg, -1);
    EXPECT_EQ(decode_instruction(neg2, 0, nullptr)->arg, -128);
}

TEST(Opcodes, JumpTargetsAreAbsolute) {
    std::uint8_t code[] = {0x59, op::JUMP, 0x40 + 3,        0x59, op::FOR_ITER,
                           0x81, 0x01,     op::UNWIND_JUMP, 0x3e, 2};
    auto j = decode_instruction(code, 1, nullptr);
    ASSERT_TRUE(j);
    EXPECT_EQ(j->arg, 3);
    EXPECT_EQ(j->target, 6);
    auto f = decode_instruction(code, 4, nullptr);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size, 3u);
    EXPECT_EQ(f->target, 7 + 129);
    auto u = decode_instruction(code, 7, nullptr);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->target, 9 - 2);
    EXPECT_EQ(u->extra, 2);
    EXPECT_EQ(u->size, 3u);
}

TEST(Opcodes, RejectsUnknownAndTruncated) {
    std::uint8_t unknown[] = {0x00};
    DecodeError err{};
    EXPECT_FALSE(decode_instruction(unknown, 0, &err));
    EXPECT_EQ(err.what, "unknown opcode 0x00");
    std::uint8_t cut[] = {op::LOAD_NAME, 0x80};
    EXPECT_FALSE(decode_instruction(cut, 0, &err));
    std::uint8_t cut_closure[] = {op::MAKE_CLOSURE, 0x00};
    EXPECT_FALSE(decode_instruction(cut_closure, 0, &err));
    EXPECT_NE(err.what.find("extra byte"), std::string::npos);
}

} // namespace
} // namespace mpyship::mpy
