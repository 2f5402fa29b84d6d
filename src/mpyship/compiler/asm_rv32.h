// The RISC-V inline assembler (@micropython.asm_rv32, or any inline-assembler decorator under
// -march=rv32imc): RV32IMC instructions, the pseudo-instructions li/la/mv, and Zba's sh1add..sh3add.
#pragma once

#include "mpyship/compiler/asm_program.h"
#include "mpyship/mpy/format.h"

#include <memory>

namespace mpyship::compiler::inline_asm {

// mpy-cross's -march-flags bits for rv32imc.
inline constexpr std::uint32_t k_rv32_flag_zba = 1;
inline constexpr std::uint32_t k_rv32_flag_zcmp = 2;

// rv32imc; null for other architectures.
std::unique_ptr<AsmBackend> rv32_backend(mpy::NativeArch arch, std::uint32_t arch_flags = 0);

} // namespace mpyship::compiler::inline_asm
