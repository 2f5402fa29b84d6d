// The x86-64 target of the native emitter (mpy-cross -march=x64): the System V registers, the frame
// (an nlr buffer when the function switches globals, the code state, the state slots), the prologue
// that calls the runtime to set the code state up, and the epilogue.
#pragma once

#include "mpyship/compiler/native_target.h"

#include <memory>

namespace mpyship::compiler {

std::unique_ptr<NativeTarget> make_x64_target();

} // namespace mpyship::compiler
