// Inline assembler functions (@micropython.asm_thumb, asm_xtensa, asm_rv32): which assembler an
// architecture has, and assembling one function into native code for the .mpy file.
//
// As in mpy-cross, the decorator only says "inline assembler": the -march architecture picks which one
// (asm_xtensa under -march=armv7m assembles Thumb). Architectures without one give "invalid arch".
#pragma once

#include "mpyship/compiler/asm_program.h"
#include "mpyship/mpy/format.h"

namespace mpyship::compiler::inline_asm {

bool has_inline_assembler(mpy::NativeArch arch);

// Throws CompileError; the architecture must have an inline assembler. `arch_flags` is -march-flags
// (rv32imc: Zba adds sh1add..sh3add).
AsmCode assemble_function(const FunctionDef& def, mpy::NativeArch arch, std::uint32_t arch_flags,
                          const std::string& scope_name);

} // namespace mpyship::compiler::inline_asm
