// The RISC-V target of the native emitter (mpy-cross -march=rv32imc): s1 holds the function table, s4
// the qstr table, s3/s2 the first locals; the frame saves ra, s1-s4 (and s0, the register the low
// function-table entries are called through, once any function of the module has called one), then
// the nlr area when globals are switched, the code state and the state slots (with Zcmp: s0 always, and
// the registers above the frame instead).
#pragma once

#include "mpyship/compiler/native_target.h"

#include <memory>

namespace mpyship::compiler {

// `module` carries whether s0 is saved from one native function of the module to the next; `zcmp`
// (-march-flags=zcmp) saves the registers with cm.push and returns with cm.popret.
std::unique_ptr<NativeTarget> make_rv32_target(NativeModuleState& module, bool zcmp);

} // namespace mpyship::compiler
