// The Thumb inline assembler (@micropython.asm_thumb) for the ARM architectures.
#pragma once

#include "mpyship/compiler/asm_program.h"
#include "mpyship/mpy/format.h"

#include <memory>

namespace mpyship::compiler::inline_asm {

// armv6, armv6m, armv7m, armv7em, armv7emsp, armv7emdp; null for other architectures.
std::unique_ptr<AsmBackend> thumb_backend(mpy::NativeArch arch);

} // namespace mpyship::compiler::inline_asm
