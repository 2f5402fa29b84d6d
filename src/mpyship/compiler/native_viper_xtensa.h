// The Xtensa targets of the viper emitter (mpy-cross -march=xtensawin and -march=xtensa on
// @micropython.viper functions): the native Xtensa target's registers, calls and epilogue, with viper's
// own prologue, a frame of bare state slots, register-register arithmetic (shifts through SAR),
// comparisons as a branch over `movi.n ret, 0`, and l8ui/l16ui/l32i, s8i/s16i/s32i through pointers.
#pragma once

#include "mpyship/compiler/native_viper_target.h"

#include <memory>

namespace mpyship::compiler {

std::unique_ptr<ViperTarget> make_viper_xtensa_target(bool windowed);

} // namespace mpyship::compiler
