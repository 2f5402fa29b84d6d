// The ARM Thumb target of the viper emitter (mpy-cross -march=armv6m ... armv7emdp on @micropython.viper
// functions): the native Thumb target's registers, calls, globals guard and epilogue, with viper's own
// prologue, a frame of bare state slots, and Thumb's three-register arithmetic, register-count shifts,
// compare-and-select (an IT block on Thumb-2, branches on armv6m) and register-offset loads and stores.
#pragma once

#include "mpyship/compiler/native_viper_target.h"

#include <memory>

namespace mpyship::compiler {

// thumb2: armv7m and later; false for armv6m.
std::unique_ptr<ViperTarget> make_viper_thumb_target(bool thumb2);

} // namespace mpyship::compiler
