// The ARM Thumb target of the native emitter (mpy-cross -march=armv6m, armv7m, armv7em, armv7emsp,
// armv7emdp): the AAPCS registers (r7 holds the function table, r6 the qstr table, r4/r5 the first
// locals), the frame (pushed r1-r3 serve as its first words), the prologue that calls the runtime to
// set the code state up, and the epilogue. armv6m differs only in the encodings (thumb_encoder.h).
#pragma once

#include "mpyship/compiler/native_target.h"

#include <memory>

namespace mpyship::compiler {

// armv6m, armv7m, armv7em, armv7emsp, armv7emdp (armv6, ARM mode with Thumb inside, is not one of them).
bool is_thumb_native_arch(mpy::NativeArch arch);

// thumb2: armv7m and later; false for armv6m.
std::unique_ptr<NativeTarget> make_thumb_target(bool thumb2);

} // namespace mpyship::compiler
