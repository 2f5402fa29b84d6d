// The i386 target of the native emitter (mpy-cross -march=x86): ebp holds the function table, edi the
// qstr table, ebx/esi the first locals; calls take their arguments on the stack (pushed from eax, ecx,
// edx, ebx, padded to 16 bytes); the frame saves ebp, ebx, esi, edi, then holds the nlr area when
// globals are switched, the code state and the state slots.
#pragma once

#include "mpyship/compiler/native_target.h"

#include <memory>

namespace mpyship::compiler {

std::unique_ptr<NativeTarget> make_x86_target();

} // namespace mpyship::compiler
