#include "mpyship/compiler/native_viper_x64_ops.h"

namespace mpyship::compiler::x64 {

namespace {

std::uint8_t low3(NativeReg r) {
    return std::uint8_t(r & 7);
}

} // namespace

// REX only when it says something (on x64; never on i386, whose registers are the first eight).
void ViperOps::rex(bool w, NativeReg reg, NativeReg rm) {
    const auto v = std::uint8_t(0x40 | (w && m_wide ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0));
    if (v != 0x40)
        m_a.raw8(v);
}

void ViperOps::reg_reg(std::uint8_t opcode, NativeReg reg, NativeReg rm) {
    rex(true, reg, rm);
    m_a.raw8(opcode);
    m_a.raw8(std::uint8_t(0xc0 | low3(reg) << 3 | low3(rm)));
}

// The shortest displacement; esp/rsp as a base needs its SIB byte.
void ViperOps::mem(NativeReg reg, NativeReg base, std::int32_t disp) {
    const bool short_disp = disp >= -128 && disp <= 127;
    const std::uint8_t mod = (disp == 0 && low3(base) != 5) ? 0x00 : short_disp ? 0x40 : 0x80;
    m_a.raw8(std::uint8_t(mod | low3(reg) << 3 | low3(base)));
    if (low3(base) == 4)
        m_a.raw8(0x24);
    if (mod == 0x40)
        m_a.raw8(std::uint8_t(disp));
    else if (mod == 0x80)
        for (int i = 0; i < 4; ++i)
            m_a.raw8(std::uint8_t(std::uint32_t(disp) >> (8 * i)));
}

void ViperOps::arith(ViperArith op, NativeReg dst, NativeReg src) {
    static constexpr std::uint8_t k_opcode[] = {0x01, 0x29, 0, 0x21, 0x09, 0x31};
    if (op == ViperArith::mul) { // imul dst, src
        rex(true, dst, src);
        m_a.raw8(0x0f);
        m_a.raw8(0xaf);
        m_a.raw8(std::uint8_t(0xc0 | low3(dst) << 3 | low3(src)));
    } else {
        reg_reg(k_opcode[int(op)], src, dst);
    }
}

void ViperOps::shift_by_count(ViperArith op, NativeReg dst) {
    static constexpr std::uint8_t k_ext[] = {4, 7, 5}; // shl, sar, shr
    const int k = int(op) - int(ViperArith::shl);
    rex(true, 0, dst);
    m_a.raw8(0xd3);
    m_a.raw8(std::uint8_t(0xc0 | k_ext[k] << 3 | low3(dst)));
}

void ViperOps::negate(NativeReg r, bool invert) {
    rex(true, 0, r);
    m_a.raw8(0xf7);
    m_a.raw8(std::uint8_t(0xc0 | (invert ? 2 : 3) << 3 | low3(r)));
}

// ret = 0, then setcc on its low byte (the zeroing comes first: it changes the flags).
void ViperOps::compare_to(Reg ret, ViperCmp cmp_op, bool is_unsigned, NativeReg lhs, NativeReg rhs) {
    static constexpr std::uint8_t k_signed[] = {0x9c, 0x9f, 0x94, 0x9e, 0x9d, 0x95};
    static constexpr std::uint8_t k_unsigned[] = {0x92, 0x97, 0x94, 0x96, 0x93, 0x95};
    m_a.zero(ret);
    cmp(lhs, rhs);
    m_a.raw8(0x0f);
    m_a.raw8((is_unsigned ? k_unsigned : k_signed)[int(cmp_op)]);
    m_a.raw8(std::uint8_t(0xc0 | low3(ret)));
}

void ViperOps::load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) {
    rex(false, dst, base);
    if (size == 4) {
        m_a.raw8(0x8b);
    } else {
        m_a.raw8(0x0f);
        m_a.raw8(size == 1 ? 0xb6 : 0xb7);
    }
    mem(dst, base, disp);
}

void ViperOps::store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) {
    if (size == 2)
        m_a.raw8(0x66);
    rex(false, src, base);
    m_a.raw8(size == 1 ? 0x88 : 0x89);
    mem(src, base, disp);
}

} // namespace mpyship::compiler::x64
