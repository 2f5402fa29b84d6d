// Jump sizing and operand encodings of the layout passes.
#include "mpyship/compiler/emitter.h"
#include "mpyship/compiler/jump_layout.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

mpy::Bytes signed_vuint(std::int64_t v) {
    mpy::Bytes out;
    put_signed_vuint(out, v);
    return out;
}

TEST(SignedVuint, Encodings) {
    EXPECT_EQ(signed_vuint(48), (mpy::Bytes{0x30}));
    EXPECT_EQ(signed_vuint(64), (mpy::Bytes{0x80, 0x40}));
    EXPECT_EQ(signed_vuint(-17), (mpy::Bytes{0x6f}));
    EXPECT_EQ(signed_vuint(-65), (mpy::Bytes{0xff, 0x3f}));
    EXPECT_EQ(signed_vuint(8191), (mpy::Bytes{0xbf, 0x7f}));
    EXPECT_EQ(signed_vuint(8192), (mpy::Bytes{0x80, 0xc0, 0x00}));
}

mpy::Bytes lay_out(Emitter& e) {
    return lay_out_code(e.items(), e.label_count(), false).bytecode;
}

TEST(JumpLayout, ShortForwardAndBackward) {
    Emitter e{Options{}};
    Label top = e.new_label(), end = e.new_label();
    e.place_label(top);
    e.load_const_true();
    e.pop_jump_if(false, end);
    e.jump(top);
    e.place_label(end);
    // POP_JUMP_IF_FALSE +2 (biased 0x42), JUMP -5 (biased 0x3b)
    EXPECT_EQ(lay_out(e), (mpy::Bytes{0x52, 0x44, 0x42, 0x42, 0x3b}));
}

TEST(JumpLayout, LongForwardJump) {
    Emitter e{Options{}};
    Label end = e.new_label();
    e.load_const_true();
    e.pop_jump_if(false, end);
    for (int i = 0; i < 64; ++i) {
        e.load_const_none();
        e.pop_top();
    }
    e.place_label(end);
    mpy::Bytes code = lay_out(e);
    ASSERT_EQ(code.size(), 4u + 128u);
    // offset 128 from the end of the 3-byte jump, biased by 0x4000
    EXPECT_EQ(code[2], 0x80 | (0x4080 & 0x7f));
    EXPECT_EQ(code[3], 0x4080 >> 7);
}

TEST(JumpLayout, DeadCodeIsDropped) {
    Emitter e{Options{}};
    e.load_const_none();
    e.return_value();
    e.load_const_true();
    e.pop_top();
    EXPECT_EQ(lay_out(e), (mpy::Bytes{0x51, 0x63}));
}

} // namespace
} // namespace mpyship::compiler
