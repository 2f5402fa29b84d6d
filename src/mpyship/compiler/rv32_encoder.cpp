#include "mpyship/compiler/rv32_encoder.h"

#include <cassert>

namespace mpyship::compiler::rv32 {

namespace {

constexpr Reg k_jump_temp = t3;  // holds a long jump's address, and a far store's
constexpr Reg k_frame_temp = t1; // a frame size beyond addi's 12 bits
constexpr std::int64_t k_long_jump_size = 8;

bool fits_c_j(std::int64_t off) {
    return off >= -2048 && off <= 2046;
}
// The reference takes c.bnez only within 8 bits (the encoding reaches 9).
bool fits_c_branch(std::int64_t off) {
    return fits_signed(off, 8);
}
bool word_offset_within(std::int32_t off, std::int32_t max) {
    return off >= 0 && off <= max && off % 4 == 0;
}

std::uint32_t branch_bits(Cond cond) {
    return cond == Cond::eq ? k_beq : k_bne;
}
std::uint16_t c_branch_bits(Cond cond) {
    return cond == Cond::eq ? k_c_beqz : k_c_bnez;
}
Cond inverted(Cond cond) {
    return cond == Cond::eq ? Cond::ne : Cond::eq;
}

} // namespace

void Encoder::op16(std::uint32_t v) {
    if (m_suppressed)
        return;
    m_bytes.push_back(std::uint8_t(v));
    m_bytes.push_back(std::uint8_t(v >> 8));
}

void Encoder::op32(std::uint32_t v) {
    op16(v & 0xffff);
    op16(v >> 16);
}

void Encoder::word(std::uint32_t v) {
    op32(v);
}

void Encoder::mov_reg_reg(Reg dst, Reg src) {
    op16(c_rr(k_c_mv, dst, src));
}

// c.li for 6 bits, addi for 12, else the upper part (c.lui when it fits 5 bits) and the lower one
// (c.addi when it fits 6 bits).
void Encoder::mov_reg_imm(Reg dst, std::int32_t imm) {
    if (fits_signed(imm, 6))
        return op16(c_li(dst, imm));
    if (fits_signed(imm, 12))
        return op32(i_type(k_addi, dst, zero, imm));
    const auto [upper, lower] = split_hi_lo(imm);
    if (fits_signed(upper, 5))
        op16(c_lui(dst, upper));
    else
        op32(u_type(k_lui, dst, upper));
    if (lower == 0)
        return;
    if (lower > 0 && lower < 32) // mpy-cross writes a negative low part with addi
        op16(c_addi(dst, lower));
    else
        op32(i_type(k_addi, dst, dst, lower));
}

void Encoder::load(Reg dst, Reg base, std::int32_t offset) {
    mem(k_lw, dst, base, offset, false);
}

void Encoder::load_u16(Reg dst, Reg base, std::int32_t offset) {
    mem(k_lhu, dst, base, offset, false);
}

void Encoder::store(Reg base, std::int32_t offset, Reg src) {
    mem(k_sw, src, base, offset, true);
}

void Encoder::load_sized(int size, Reg dst, Reg base, std::int32_t offset) {
    mem(size == 1 ? k_lbu : size == 2 ? k_lhu : k_lw, dst, base, offset, false);
}

void Encoder::store_sized(int size, Reg base, std::int32_t offset, Reg src) {
    mem(size == 1 ? k_sb : size == 2 ? k_sh : k_sw, src, base, offset, true);
}

// Words take the compressed forms (sp-relative, or both registers x8..x15) when the offset fits them;
// beyond 12 bits the address is built first: in the loaded register itself (even when it is the base,
// as the reference does), or in t3 for a store.
void Encoder::mem(std::uint32_t bits, Reg r, Reg base, std::int32_t offset, bool store) {
    if (bits == k_lw || bits == k_sw) {
        if (base == sp && word_offset_within(offset, 252) && (store || r != zero))
            return op16(store ? c_swsp(r, std::uint32_t(offset)) : c_lwsp(r, std::uint32_t(offset)));
        // c.lw/c.sw reach 124, but the reference takes them only below 64 (measured: a constant-table
        // entry at 64..124 is loaded with lw)
        if (is_compressed_reg(r) && is_compressed_reg(base) && word_offset_within(offset, 60))
            return op16(c_mem(store ? k_c_sw : k_c_lw, r, base, std::uint32_t(offset)));
    }
    if (!fits_signed(offset, 12)) {
        const Reg addr = store ? k_jump_temp : r;
        const auto [upper, lower] = split_hi_lo(offset);
        if (fits_signed(upper, 5))
            op16(c_lui(addr, upper));
        else
            op32(u_type(k_lui, addr, upper));
        op16(c_rr(k_c_add, addr, base));
        base = addr;
        offset = lower;
    }
    op32(store ? s_type(bits, r, base, offset) : i_type(bits, r, base, offset));
}

void Encoder::lea_sp(Reg dst, std::int32_t offset) {
    if (is_compressed_reg(dst) && offset > 0 && word_offset_within(offset, 1020))
        return op16(c_addi4spn(dst, std::uint32_t(offset)));
    if (fits_signed(offset, 12))
        return op32(i_type(k_addi, dst, sp, offset));
    mov_reg_imm(dst, offset);
    op16(c_rr(k_c_add, dst, sp));
}

void Encoder::add_sp(std::int32_t delta) {
    if (fits_signed(delta, 6))
        return op16(c_addi(sp, delta));
    if (fits_signed(delta, 12))
        return op32(i_type(k_addi, sp, sp, delta));
    mov_reg_imm(k_frame_temp, delta);
    op16(c_rr(k_c_add, sp, k_frame_temp));
}

void Encoder::lea_label(Reg dst, std::uint32_t label) {
    if (m_suppressed)
        return;
    m_fixups.push_back({m_bytes.size(), Form::lea, dst, label});
    op32(u_type(k_auipc, dst, 0));
    op32(i_type(k_addi, dst, dst, 0));
}

// auipc t3 + jalr zero: to a known target, or patched by finish().
void Encoder::long_jump(std::uint32_t label, std::int64_t target) {
    const std::size_t at = m_bytes.size();
    if (target < 0)
        m_fixups.push_back({at, Form::jump, k_jump_temp, label});
    const auto [upper, lower] = split_hi_lo(std::int32_t(target < 0 ? 0 : target - std::int64_t(at)));
    op32(u_type(k_auipc, k_jump_temp, upper));
    op32(i_type(k_jalr, zero, k_jump_temp, lower));
}

// A label at the current position is not behind: a jump to it takes the forward forms, as in the
// reference (`while 1: pass` at -O3 jumps to itself).
void Encoder::jump(std::uint32_t label) {
    if (m_suppressed)
        return;
    const auto it = m_labels.find(label);
    if (it == m_labels.end())
        return long_jump(label, -1);
    const std::int64_t off = it->second - std::int64_t(m_bytes.size());
    if (off == 0)
        return long_jump(label, it->second);
    if (fits_c_j(off))
        return op16(k_c_j | cj_offset(std::int32_t(off)));
    long_jump(label, it->second);
}

void Encoder::jump_if(Cond cond, Reg r, std::uint32_t label) {
    if (m_suppressed)
        return;
    const auto it = m_labels.find(label);
    const bool here = it != m_labels.end() && it->second == std::int64_t(m_bytes.size());
    if (it == m_labels.end() || here) { // forward: a 32-bit inverted branch over the long jump
        op32(b_type(branch_bits(inverted(cond)), r, zero, 4 + k_long_jump_size));
        return long_jump(label, here ? it->second : -1);
    }
    const std::int64_t off = it->second - std::int64_t(m_bytes.size());
    if (cond == Cond::ne && is_compressed_reg(r) && fits_c_branch(off))
        return op16(c_branch_bits(cond) | (r - 8) << 7 | cb_offset(std::int32_t(off)));
    if (fits_signed(off, 13))
        return op32(b_type(branch_bits(cond), r, zero, std::int32_t(off)));
    if (is_compressed_reg(r))
        op16(c_branch_bits(inverted(cond)) | (r - 8) << 7 | cb_offset(2 + k_long_jump_size));
    else
        op32(b_type(branch_bits(inverted(cond)), r, zero, 4 + k_long_jump_size));
    long_jump(label, it->second);
}

void Encoder::jump_forward_if_equal(Reg a, Reg b, std::uint32_t label) {
    if (m_suppressed)
        return;
    assert(!m_labels.contains(label));
    op32(b_type(k_bne, a, b, 4 + k_long_jump_size));
    long_jump(label, -1);
}

void Encoder::bind(std::uint32_t label) {
    m_labels[label] = std::int64_t(m_bytes.size());
}

void Encoder::label_word(std::uint32_t label) {
    if (!m_suppressed)
        m_fixups.push_back({m_bytes.size(), Form::data, zero, label});
    word(0);
}

void Encoder::patch32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        m_bytes[at + std::size_t(i)] = std::uint8_t(v >> (8 * i));
}

mpy::Bytes Encoder::finish() {
    for (const Fixup& f : m_fixups) {
        assert(m_labels.contains(f.label));
        if (f.form == Form::data) {
            patch32(f.at, std::uint32_t(m_labels.at(f.label)));
            continue;
        }
        const auto [upper, lower] = split_hi_lo(std::int32_t(m_labels.at(f.label) - std::int64_t(f.at)));
        patch32(f.at, u_type(k_auipc, f.reg, upper));
        patch32(f.at + 4, f.form == Form::jump ? i_type(k_jalr, zero, f.reg, lower)
                                                : i_type(k_addi, f.reg, f.reg, lower));
    }
    return std::move(m_bytes);
}

} // namespace mpyship::compiler::rv32
