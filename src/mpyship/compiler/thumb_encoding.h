// Thumb instruction words whose bit layout is worth writing once: the branches (b, b<cond>, bl in their
// 16- and 32-bit forms) and movw/movt. Shared by the inline assembler (asm_thumb.cpp) and the native
// emitter's Thumb encoder (thumb_encoder.cpp). Offsets are from the instruction's address + 4; a 32-bit
// instruction is returned as its first halfword in the high 16 bits.
#pragma once

#include <cstdint>

namespace mpyship::compiler::thumb {

enum class Cond : std::uint32_t { eq = 0, ne = 1 };

constexpr std::uint16_t b_narrow(std::int64_t off) {
    return std::uint16_t(0xe000 | (std::uint32_t(off) >> 1 & 0x7ff));
}

constexpr std::uint16_t b_cond_narrow(std::uint32_t cond, std::int64_t off) {
    return std::uint16_t(0xd000 | cond << 8 | (std::uint32_t(off) >> 1 & 0xff));
}

constexpr std::uint32_t halfwords(std::uint32_t hi, std::uint32_t lo) {
    return hi << 16 | lo;
}

constexpr std::uint32_t b_cond_wide(std::uint32_t cond, std::int64_t off) {
    const auto u = std::uint32_t(off);
    return halfwords(0xf000 | (u >> 20 & 1) << 10 | cond << 6 | (u >> 12 & 0x3f),
                     0x8000 | (u >> 18 & 1) << 13 | (u >> 19 & 1) << 11 | (u >> 1 & 0x7ff));
}

// b.w (T4) and bl share the layout; `link` picks bl.
constexpr std::uint32_t b_wide(std::int64_t off, bool link = false) {
    const auto u = std::uint32_t(off);
    const std::uint32_t s = u >> 24 & 1;
    const std::uint32_t j1 = ~((u >> 23 & 1) ^ s) & 1;
    const std::uint32_t j2 = ~((u >> 22 & 1) ^ s) & 1;
    return halfwords(0xf000 | s << 10 | (u >> 12 & 0x3ff),
                     (link ? 0xd000 : 0x9000) | j1 << 13 | j2 << 11 | (u >> 1 & 0x7ff));
}

// movw (top = false) or movt of a 16-bit immediate into register d.
constexpr std::uint32_t move_wide(bool top, std::uint32_t d, std::uint32_t imm16) {
    return halfwords((top ? 0xf2c0 : 0xf240) | (imm16 >> 11 & 1) << 10 | imm16 >> 12,
                     (imm16 >> 8 & 7) << 12 | d << 8 | (imm16 & 0xff));
}

} // namespace mpyship::compiler::thumb
