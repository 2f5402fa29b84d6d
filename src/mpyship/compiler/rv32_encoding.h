// RV32IMC instruction words whose bit layout is worth writing once, as the RISC-V Unprivileged ISA
// manual defines them: the base formats (I, S, B, J, U), the scattered immediates of the compressed
// forms, and the few whole instructions both users write. Shared by the inline assembler (asm_rv32.cpp)
// and the native emitter's RISC-V encoder (rv32_encoder.cpp). Branch and jump offsets are from the
// instruction's own address.
#pragma once

#include <cstdint>

namespace mpyship::compiler::rv32 {

enum Reg : std::uint32_t {
    zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13,
    s2 = 18, s3 = 19, s4 = 20, t3 = 28,
};

constexpr bool fits_signed(std::int64_t v, unsigned bits) {
    const std::int64_t half = std::int64_t(1) << (bits - 1);
    return v >= -half && v < half;
}

// x8..x15, the registers the compressed forms' 3-bit fields name.
constexpr bool is_compressed_reg(std::uint32_t r) {
    return r >= 8 && r <= 15;
}

// Bits [hi:lo] of v, placed at `at`.
constexpr std::uint32_t field(std::uint32_t v, unsigned hi, unsigned lo, unsigned at) {
    return (v >> lo & ((1u << (hi - lo + 1)) - 1)) << at;
}

constexpr std::uint32_t i_type(std::uint32_t bits, std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) {
    return bits | std::uint32_t(imm) << 20 | rs1 << 15 | rd << 7;
}

// R-type (register-register): bits carry opcode, funct3 and funct7.
constexpr std::uint32_t r_type(std::uint32_t bits, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
    return bits | rs2 << 20 | rs1 << 15 | rd << 7;
}

constexpr std::uint32_t s_type(std::uint32_t bits, std::uint32_t rs2, std::uint32_t rs1, std::int32_t imm) {
    const auto u = std::uint32_t(imm);
    return bits | field(u, 11, 5, 25) | rs2 << 20 | rs1 << 15 | field(u, 4, 0, 7);
}

constexpr std::uint32_t b_type(std::uint32_t bits, std::uint32_t rs1, std::uint32_t rs2, std::int32_t off) {
    const auto u = std::uint32_t(off);
    return bits | field(u, 12, 12, 31) | field(u, 10, 5, 25) | rs2 << 20 | rs1 << 15 | field(u, 4, 1, 8) |
           field(u, 11, 11, 7);
}

constexpr std::uint32_t j_type(std::uint32_t bits, std::uint32_t rd, std::int32_t off) {
    const auto u = std::uint32_t(off);
    return bits | field(u, 20, 20, 31) | field(u, 10, 1, 21) | field(u, 11, 11, 20) | field(u, 19, 12, 12) |
           rd << 7;
}

constexpr std::uint32_t u_type(std::uint32_t bits, std::uint32_t rd, std::int32_t upper) {
    return bits | (std::uint32_t(upper) & 0xfffff) << 12 | rd << 7;
}

// c.j / c.jal offset bits.
constexpr std::uint32_t cj_offset(std::int32_t off) {
    const auto u = std::uint32_t(off);
    return field(u, 11, 11, 12) | field(u, 4, 4, 11) | field(u, 9, 8, 9) | field(u, 10, 10, 8) |
           field(u, 6, 6, 7) | field(u, 7, 7, 6) | field(u, 3, 1, 3) | field(u, 5, 5, 2);
}

// c.beqz / c.bnez offset bits.
constexpr std::uint32_t cb_offset(std::int32_t off) {
    const auto u = std::uint32_t(off);
    return field(u, 8, 8, 12) | field(u, 4, 3, 10) | field(u, 7, 6, 5) | field(u, 2, 1, 3) | field(u, 5, 5, 2);
}

// CI-format immediate: bit 5 at 12, bits 4..0 at 6..2.
constexpr std::uint32_t ci_imm(std::int32_t imm) {
    const auto u = std::uint32_t(imm);
    return field(u, 5, 5, 12) | field(u, 4, 0, 2);
}

// A 32-bit value as lui's upper 20 bits and the sign-extended low 12 bits an addi adds back.
struct HiLo {
    std::int32_t upper, lower;
};
constexpr HiLo split_hi_lo(std::int32_t v) {
    const std::int32_t upper = std::int32_t(std::uint32_t(v) + 0x800) >> 12;
    return {upper, std::int32_t(std::uint32_t(v) - (std::uint32_t(upper) << 12))};
}

// Opcode bits (every operand field zero) of the instructions written by both users.
inline constexpr std::uint32_t k_addi = 0x00000013, k_lui = 0x00000037, k_auipc = 0x00000017, k_jalr = 0x00000067,
                               k_lw = 0x00002003, k_lhu = 0x00005003, k_sw = 0x00002023, k_beq = 0x00000063,
                               k_bne = 0x00001063;
// The loads, stores and register operations viper code adds.
inline constexpr std::uint32_t k_lbu = 0x00004003, k_sb = 0x00000023, k_sh = 0x00001023, k_add = 0x00000033,
                               k_sub = 0x40000033, k_mul = 0x02000033, k_and = 0x00007033, k_or = 0x00006033,
                               k_xor = 0x00004033, k_sll = 0x00001033, k_sra = 0x40005033, k_srl = 0x00005033,
                               k_slt = 0x00002033, k_sltu = 0x00003033, k_sltiu = 0x00003013, k_xori = 0x00004013,
                               k_slli = 0x00001013;
// Zba (-march-flags=zba): rd = (rs1 << n) + rs2, viper's scaled element addresses.
inline constexpr std::uint32_t k_sh1add = 0x20002033, k_sh2add = 0x20004033;
inline constexpr std::uint16_t k_c_li = 0x4001, k_c_lui = 0x6001, k_c_addi = 0x0001, k_c_mv = 0x8002,
                               k_c_add = 0x9002, k_c_jr = 0x8002, k_c_jalr = 0x9002, k_c_j = 0xa001,
                               k_c_beqz = 0xc001, k_c_bnez = 0xe001, k_c_lw = 0x4000, k_c_sw = 0xc000,
                               k_c_lwsp = 0x4002, k_c_swsp = 0xc002;

constexpr std::uint16_t c_li(std::uint32_t rd, std::int32_t imm) {
    return std::uint16_t(k_c_li | rd << 7 | ci_imm(imm));
}
constexpr std::uint16_t c_lui(std::uint32_t rd, std::int32_t imm) {
    return std::uint16_t(k_c_lui | rd << 7 | ci_imm(imm));
}
constexpr std::uint16_t c_addi(std::uint32_t rd, std::int32_t imm) {
    return std::uint16_t(k_c_addi | rd << 7 | ci_imm(imm));
}
// c.mv / c.add (rd, rs other than x0) and c.jr / c.jalr (rs in rd's field).
constexpr std::uint16_t c_rr(std::uint16_t bits, std::uint32_t rd, std::uint32_t rs = 0) {
    return std::uint16_t(bits | rd << 7 | rs << 2);
}
// c.lw / c.sw: r and base are x8..x15; offset a multiple of 4 up to 124.
constexpr std::uint16_t c_mem(std::uint16_t bits, std::uint32_t r, std::uint32_t base, std::uint32_t off) {
    return std::uint16_t(bits | field(off, 5, 3, 10) | (base - 8) << 7 | field(off, 2, 2, 6) | field(off, 6, 6, 5) |
                         (r - 8) << 2);
}
// c.lwsp: offset a multiple of 4 up to 252.
constexpr std::uint16_t c_lwsp(std::uint32_t rd, std::uint32_t off) {
    return std::uint16_t(k_c_lwsp | field(off, 5, 5, 12) | rd << 7 | field(off, 4, 2, 4) | field(off, 7, 6, 2));
}
constexpr std::uint16_t c_swsp(std::uint32_t rs, std::uint32_t off) {
    return std::uint16_t(k_c_swsp | field(off, 5, 2, 9) | field(off, 7, 6, 7) | rs << 2);
}
// c.addi4spn: rd is x8..x15, offset a multiple of 4 from 4 to 1020.
constexpr std::uint16_t c_addi4spn(std::uint32_t rd, std::uint32_t off) {
    return std::uint16_t(field(off, 5, 4, 11) | field(off, 9, 6, 7) | field(off, 2, 2, 6) | field(off, 3, 3, 5) |
                         (rd - 8) << 2);
}

// Zcmp's cm.push / cm.popret of {ra, s0-s4} (rlist 9) with a stack adjustment of 32 + 16 * spimm bytes.
inline constexpr std::uint16_t k_cm_push = 0xb802, k_cm_popret = 0xbe02;
constexpr std::uint16_t cm_push_pop(std::uint16_t bits, std::int32_t bytes) {
    return std::uint16_t(bits | 9u << 4 | std::uint32_t((bytes - 32) / 16) << 2);
}

} // namespace mpyship::compiler::rv32
