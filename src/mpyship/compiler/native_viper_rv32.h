// The RISC-V target of the viper emitter (mpy-cross -march=rv32imc on @micropython.viper functions): the
// native rv32 target's registers, calls (through s0 or t3), globals guard and epilogue, with viper's own
// prologue, a frame of bare state slots, register-register arithmetic, slt/sltu comparisons and
// lbu/lhu/lw, sb/sh/sw through pointers.
#pragma once

#include "mpyship/compiler/native_viper_target.h"

#include <memory>

namespace mpyship::compiler {

// `module` carries whether s0 is saved, from one native or viper function of the module to the next;
// `zcmp` (-march-flags=zcmp) saves the registers with cm.push and returns with cm.popret.
std::unique_ptr<ViperTarget> make_viper_rv32_target(NativeModuleState& module, bool zcmp, bool zba);

} // namespace mpyship::compiler
