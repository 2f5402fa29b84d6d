// The i386 target of the viper emitter (mpy-cross -march=x86 on @micropython.viper functions): the native
// x86 target's registers, stack-argument calls, globals guard and epilogue, with viper's own prologue (the
// caller's arguments read from the stack, no code state), and the x64 viper instructions without REX.W.
#pragma once

#include "mpyship/compiler/native_viper_target.h"

#include <memory>

namespace mpyship::compiler {

std::unique_ptr<ViperTarget> make_viper_x86_target();

} // namespace mpyship::compiler
