// The x86-64 target of the viper emitter (mpy-cross -march=x64 on @micropython.viper functions): the
// same registers as the native target, a frame of bare state slots (no code state unless the function
// switches globals), and the arithmetic, comparison and pointer instructions viper code compiles to.
#pragma once

#include "mpyship/compiler/native_viper_target.h"

#include <memory>

namespace mpyship::compiler {

std::unique_ptr<ViperTarget> make_viper_x64_target();

} // namespace mpyship::compiler
