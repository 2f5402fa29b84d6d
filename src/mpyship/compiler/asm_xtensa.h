// The Xtensa inline assembler (@micropython.asm_xtensa, or any inline-assembler decorator under
// -march=xtensa / xtensawin): the core instructions with their narrow forms, movi through a literal pool
// placed before the function's entry, and the call0 (xtensa) or windowed (xtensawin) entry and return.
#pragma once

#include "mpyship/compiler/asm_program.h"
#include "mpyship/mpy/format.h"

#include <memory>

namespace mpyship::compiler::inline_asm {

// xtensa, xtensawin; null for other architectures.
std::unique_ptr<AsmBackend> xtensa_backend(mpy::NativeArch arch);

} // namespace mpyship::compiler::inline_asm
