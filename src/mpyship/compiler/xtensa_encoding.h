// Xtensa instruction words whose field layout is worth writing once: the 24-bit RRR/RRI8/RI16/CALL/BRI12
// formats and the 16-bit narrow (density) forms, with the opcode bits of the instructions both the inline
// assembler (asm_xtensa.cpp) and the native emitter's encoder (xtensa_encoder.cpp) write. Offsets of
// j and the branches are from the instruction's address + 4; a 24-bit word is written little-endian.
#pragma once

#include <cstdint>

namespace mpyship::compiler::xtensa {

// Opcode bits with the operand fields zero.
inline constexpr std::uint32_t k_l8ui = 0x000002, k_l16ui = 0x001002, k_l32i = 0x002002, k_s32i = 0x006002;
inline constexpr std::uint32_t k_addi = 0x00c002, k_movi = 0x00a002;
inline constexpr std::uint32_t k_add = 0x800000, k_sub = 0xc00000;
inline constexpr std::uint32_t k_l32i_n = 0x0008, k_s32i_n = 0x0009, k_add_n = 0x000a, k_movi_n = 0x000c;
inline constexpr std::uint32_t k_mov_n = 0x000d;
inline constexpr std::uint32_t k_beqz = 0x000016, k_bnez = 0x000056; // BRI12 branches on one register
inline constexpr std::uint32_t k_jx = 0x0000a0, k_callx0 = 0x0000c0, k_callx8 = 0x0000e0;
inline constexpr std::uint32_t k_entry = 0x000036;
inline constexpr std::uint32_t k_ret_n = 0xf00d, k_retw_n = 0xf01d;

// RRR (and the 16-bit RRRN): ar, as, at.
constexpr std::uint32_t rrr(std::uint32_t bits, std::uint32_t r, std::uint32_t s, std::uint32_t t) {
    return bits | r << 12 | s << 8 | t << 4;
}

// RRI8 loads, stores and addi: at, as, an 8-bit immediate (already scaled).
constexpr std::uint32_t rri8(std::uint32_t bits, std::uint32_t t, std::uint32_t s, std::uint32_t imm8) {
    return bits | (imm8 & 0xff) << 16 | s << 8 | t << 4;
}

// l32i.n / s32i.n at, as, offset (a multiple of 4 up to 60).
constexpr std::uint32_t narrow_load_store(std::uint32_t bits, std::uint32_t t, std::uint32_t s,
                                          std::uint32_t offset) {
    return bits | (offset >> 2) << 12 | s << 8 | t << 4;
}

constexpr std::uint32_t mov_n(std::uint32_t t, std::uint32_t s) {
    return k_mov_n | s << 8 | t << 4;
}

// movi.n as, -32..95: the low 4 bits in r, the high 3 in t.
constexpr std::uint32_t movi_n(std::uint32_t s, std::int32_t v) {
    const auto u = std::uint32_t(v);
    return k_movi_n | (u & 15) << 12 | s << 8 | (u >> 4 & 7) << 4;
}

// movi at, -2048..2047: the low byte in imm8, the high 4 bits in s.
constexpr std::uint32_t movi(std::uint32_t t, std::int32_t v) {
    const auto u = std::uint32_t(v);
    return k_movi | (u & 0xff) << 16 | (u >> 8 & 15) << 8 | t << 4;
}

// l32r at, a literal `words` words from the instruction's address + 3 rounded down to a word.
constexpr std::uint32_t l32r(std::uint32_t t, std::int64_t words) {
    return 0x000001 | t << 4 | (std::uint32_t(words) & 0xffff) << 8;
}

constexpr std::uint32_t j(std::int64_t offset) {
    return 0x000006 | (std::uint32_t(offset) & 0x3ffff) << 6;
}

// call0 whose 18-bit field counts words from the instruction's address rounded down + 4.
constexpr std::uint32_t call0(std::int64_t field) {
    return 0x000005 | (std::uint32_t(field) & 0x3ffff) << 6;
}

// beqz / bnez as, offset (12 bits).
constexpr std::uint32_t bri12(std::uint32_t bits, std::uint32_t s, std::int64_t offset) {
    return bits | s << 8 | (std::uint32_t(offset) & 0xfff) << 12;
}

// beqz <-> bnez, bltz <-> bgez.
constexpr std::uint32_t invert_bri12(std::uint32_t bits) {
    return bits ^ 0x40;
}

// entry as, frame bytes (a multiple of 8).
constexpr std::uint32_t entry(std::uint32_t s, std::uint32_t frame_bytes) {
    return k_entry | s << 8 | (frame_bytes >> 3) << 12;
}

} // namespace mpyship::compiler::xtensa
