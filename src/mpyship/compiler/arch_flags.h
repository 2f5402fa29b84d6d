// mpy-cross's -march-flags: architecture-specific feature bits (rv32imc: zba, zcmp), given as a number
// (decimal, 0x hex, 0b binary, 0 octal) or as comma-separated names. The bits choose instructions (Zba's
// sh1add.. in the RISC-V assembler) and are written into the .mpy header when not zero.
#pragma once

#include "mpyship/mpy/format.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace mpyship::compiler {

// The flags for `arch`, or nullopt where mpy-cross says "unrecognised arch flags": an architecture
// without flags (any value, 0 included), an unknown name, a malformed number or unknown bits.
std::optional<std::uint32_t> parse_arch_flags(mpy::NativeArch arch, std::string_view text);

} // namespace mpyship::compiler
