// What this compiler can produce, in one place: the runtimes it matches (with the `.mpy` header byte each
// expects), the native architectures it can emit code for and those with an inline assembler. `mpyship
// version --json` reports these, so a new back end shows up there by being added to a list below.
#pragma once

#include "mpyship/mpy/format.h"

#include <span>
#include <string_view>

namespace mpyship::compiler {

struct TargetInfo {
    std::string_view name;    // the --target spelling
    std::string_view runtime; // the runtime whose compiler is matched byte for byte
    std::string_view version; // that compiler's version
    char magic;               // byte 0 of the .mpy files it writes
};

inline constexpr TargetInfo k_targets[] = {
    {"micropython", "MicroPython", "1.28.0", static_cast<char>(mpy::k_magic_micropython)},
    {"circuitpython", "CircuitPython", "10.2.1", static_cast<char>(mpy::k_magic_circuitpython)},
};

// `-march` names for which @micropython.native and viper code is generated (mpy-cross spelling, in -march
// order). Agrees with has_native_emitter and has_viper_emitter (tests/dist checks both ways). A few
// constructs are still refused on them ("not implemented yet"; the README's *Native code* lists them).
inline constexpr std::string_view k_native_arch_names[] = {"x86",       "x64",    "armv6m",    "armv7m",
                                                           "armv7em",   "armv7emsp", "armv7emdp", "xtensa",
                                                           "xtensawin", "rv32imc"};
inline constexpr std::span<const std::string_view> k_native_archs{k_native_arch_names};

// `-march` names with an inline assembler (@micropython.asm_thumb / asm_xtensa / asm_rv32; as in mpy-cross
// the -march picks the instruction set, not the decorator). Agrees with inline_asm::has_inline_assembler
// (tests/dist checks both ways).
inline constexpr std::string_view k_inline_asm_arch_names[] = {"armv6",     "armv6m", "armv7m",
                                                               "armv7em",   "armv7emsp", "armv7emdp",
                                                               "xtensa",    "xtensawin", "rv32imc"};
inline constexpr std::span<const std::string_view> k_inline_asm_archs{k_inline_asm_arch_names};

} // namespace mpyship::compiler
