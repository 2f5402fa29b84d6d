#include "mpyship/compiler/x64_encoder.h"

#include <cassert>

namespace mpyship::compiler::x64 {

namespace {
bool fits_i8(std::int64_t v) {
    return v >= -128 && v <= 127;
}
std::uint8_t low3(Reg r) {
    return std::uint8_t(r & 7);
}
bool extended(Reg r) {
    return r >= r8;
}
} // namespace

void Encoder::u8(std::uint8_t v) {
    if (!m_suppressed)
        m_bytes.push_back(v);
}

void Encoder::u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        u8(std::uint8_t(v >> (8 * i)));
}

// REX is written only when it says something: a 64-bit operand or an extended register (x86: never;
// its operands are 32-bit and it has no extended registers).
void Encoder::rex(bool w, Reg reg, Reg rm) {
    if (m_mode == Mode::x86) {
        assert(!extended(reg) && !extended(rm));
        return;
    }
    const std::uint8_t v = std::uint8_t(0x40 | (w ? 8 : 0) | (extended(reg) ? 4 : 0) | (extended(rm) ? 1 : 0));
    if (v != 0x40)
        u8(v);
}

// [base + disp] with the shortest displacement; rsp/r12 need a SIB byte, rbp/r13 cannot go without one.
void Encoder::modrm_mem(Reg reg, Reg base, std::int32_t disp) {
    const std::uint8_t mod = (disp == 0 && low3(base) != 5) ? 0x00 : fits_i8(disp) ? 0x40 : 0x80;
    u8(std::uint8_t(mod | low3(reg) << 3 | low3(base)));
    if (low3(base) == 4)
        u8(0x24);
    if (mod == 0x40)
        u8(std::uint8_t(disp));
    else if (mod == 0x80)
        u32(std::uint32_t(disp));
}

void Encoder::op_mem(std::uint8_t opcode, Reg reg, Reg base, std::int32_t disp, bool wide) {
    rex(wide, reg, base);
    u8(opcode);
    modrm_mem(reg, base, disp);
}

void Encoder::push(Reg r) {
    rex(false, rax, r);
    u8(std::uint8_t(0x50 + low3(r)));
}

void Encoder::pop(Reg r) {
    rex(false, rax, r);
    u8(std::uint8_t(0x58 + low3(r)));
}

void Encoder::ret() {
    u8(0xc3);
}

void Encoder::mov_reg_reg(Reg dst, Reg src) {
    rex(true, src, dst);
    u8(0x89);
    u8(std::uint8_t(0xc0 | low3(src) << 3 | low3(dst)));
}

void Encoder::mov_reg_imm(Reg dst, std::uint64_t imm) {
    const bool narrow = imm <= 0xffffffffu;
    rex(!narrow, rax, dst);
    u8(std::uint8_t(0xb8 + low3(dst)));
    u32(std::uint32_t(imm));
    if (!narrow)
        u32(std::uint32_t(imm >> 32));
}

void Encoder::zero(Reg r) {
    rex(true, r, r);
    u8(0x31);
    u8(std::uint8_t(0xc0 | low3(r) << 3 | low3(r)));
}

void Encoder::add_reg_reg(Reg dst, Reg src) {
    rex(true, src, dst);
    u8(0x01);
    u8(std::uint8_t(0xc0 | low3(src) << 3 | low3(dst)));
}

void Encoder::load(Reg dst, Reg base, std::int32_t disp) {
    op_mem(0x8b, dst, base, disp);
}

void Encoder::store(Reg base, std::int32_t disp, Reg src) {
    op_mem(0x89, src, base, disp);
}

void Encoder::lea(Reg dst, Reg base, std::int32_t disp) {
    op_mem(0x8d, dst, base, disp);
}

void Encoder::load_u16(Reg dst, Reg base, std::int32_t disp) {
    rex(false, dst, base);
    u8(0x0f);
    u8(0xb7);
    modrm_mem(dst, base, disp);
}

void Encoder::sub_rsp(std::int32_t imm) {
    rex(true, rax, rsp);
    u8(fits_i8(imm) ? 0x83 : 0x81);
    u8(0xec);
    if (fits_i8(imm))
        u8(std::uint8_t(imm));
    else
        u32(std::uint32_t(imm));
}

void Encoder::add_rsp_i8(std::int8_t imm) {
    rex(true, rax, rsp);
    u8(0x83);
    u8(0xc4);
    u8(std::uint8_t(imm));
}

void Encoder::call_reg(Reg r) {
    rex(false, rax, r);
    u8(0xff);
    u8(std::uint8_t(0xd0 | low3(r)));
}

void Encoder::jump_reg(Reg r) {
    rex(false, rax, r);
    u8(0xff);
    u8(std::uint8_t(0xe0 | low3(r)));
}

void Encoder::lea_label(Reg dst, std::uint32_t label) {
    if (m_suppressed)
        return;
    if (m_mode == Mode::x86) {
        label_address_x86(dst, label);
        return;
    }
    rex(true, dst, rax);
    u8(0x8d);
    u8(std::uint8_t(0x05 | low3(dst) << 3));
    rel32_to(label, std::int64_t(m_bytes.size() + 4));
}

// call $+5 pushes the address of the pop; add dst, imm32 (always the 32-bit form, as mpy-cross writes
// it) moves it on to the label.
void Encoder::label_address_x86(Reg dst, std::uint32_t label) {
    u8(0xe8);
    u32(0);
    const auto base = std::int64_t(m_bytes.size());
    pop(dst);
    u8(0x81);
    u8(std::uint8_t(0xc0 | low3(dst)));
    rel32_to(label, base);
}

void Encoder::rel32_to(std::uint32_t label, std::int64_t base) {
    const std::size_t at = m_bytes.size();
    const auto bound = m_labels.find(label);
    u32(bound == m_labels.end() ? 0 : std::uint32_t(bound->second - base));
    if (bound == m_labels.end())
        m_fixups.push_back({at, label, base});
}

void Encoder::label_word(std::uint32_t label) {
    rel32_to(label, 0);
    if (m_mode == Mode::x64)
        u32(0);
}

void Encoder::test_r8(Reg r) {
    u8(0x84);
    u8(std::uint8_t(0xc0 | low3(r) << 3 | low3(r)));
}

void Encoder::test_r64(Reg r) {
    rex(true, r, r);
    u8(0x85);
    u8(std::uint8_t(0xc0 | low3(r) << 3 | low3(r)));
}

void Encoder::bind(std::uint32_t label) {
    m_labels[label] = std::int64_t(m_bytes.size());
}

// long_op1 < 0: a one-byte long form (jmp rel32); otherwise the two-byte jcc rel32.
void Encoder::branch(std::uint8_t short_op, std::uint8_t long_op0, int long_op1, std::uint32_t label) {
    if (m_suppressed)
        return;
    const std::int64_t here = std::int64_t(m_bytes.size());
    const auto bound = m_labels.find(label);
    const std::int64_t target = bound == m_labels.end() ? -1 : bound->second;
    // Only a label behind gets the short form: a jump to the current position is written like a forward
    // one (32-bit), as the reference does (`while 1: pass` at -O3 jumps to itself).
    if (target >= 0 && target < here && fits_i8(target - (here + 2))) {
        u8(short_op);
        u8(std::uint8_t(target - (here + 2)));
        return;
    }
    u8(long_op0);
    if (long_op1 >= 0)
        u8(std::uint8_t(long_op1));
    const std::size_t at = m_bytes.size();
    u32(target >= 0 ? std::uint32_t(target - std::int64_t(at + 4)) : 0);
    if (target < 0)
        m_fixups.push_back({at, label, std::int64_t(at + 4)});
}

void Encoder::jump(std::uint32_t label) {
    branch(0xeb, 0xe9, -1, label);
}

void Encoder::jump_if(Cond cond, std::uint32_t label) {
    branch(std::uint8_t(0x70 | std::uint8_t(cond)), 0x0f, 0x80 | std::uint8_t(cond), label);
}

mpy::Bytes Encoder::finish() {
    for (const Fixup& f : m_fixups) {
        assert(m_labels.contains(f.label));
        const auto rel = std::uint32_t(m_labels.at(f.label) - f.base);
        for (int i = 0; i < 4; ++i)
            m_bytes[f.at + std::size_t(i)] = std::uint8_t(rel >> (8 * i));
    }
    m_fixups.clear();
    return std::move(m_bytes);
}

} // namespace mpyship::compiler::x64
