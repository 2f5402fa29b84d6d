// What this compiler can produce, in one place: the runtimes it matches (with the `.mpy` header byte each
// expects) and the native architectures it can emit code for. `mpyship version --json` reports these, so a
// new native back end shows up there by being added to `k_native_archs` below.
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

// `-march` names for which native / viper code is generated (mpy-cross spelling: "x64", "armv7m", ...).
// Empty today: -march is accepted and bytecode is unchanged, native decorators are "not implemented".
inline constexpr std::span<const std::string_view> k_native_archs{};

} // namespace mpyship::compiler
