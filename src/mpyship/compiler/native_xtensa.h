// The Xtensa targets of the native emitter: mpy-cross -march=xtensawin (ESP32, S2, S3: the windowed ABI,
// calls through callx8 with arguments in a10-a13, a7 the function table, a6 the qstr table, a4/a5 the
// first locals, entry/retw) and -march=xtensa (ESP8266: the call0 ABI, arguments in a2-a5, a15 the
// function table, a14 the qstr table, a12/a13 the first locals, saved with a0 below the frame). The
// frame: a0's slot (and a12-a15 on call0), the nlr area when globals are switched, the code state and
// the state slots. xtensawin's nlr frame is setjmp-based: nlr_push, then setjmp on its jump buffer.
#pragma once

#include "mpyship/compiler/native_target.h"

#include <memory>

namespace mpyship::compiler {

bool is_xtensa_native_arch(mpy::NativeArch arch);

std::unique_ptr<NativeTarget> make_xtensa_target(bool windowed);

} // namespace mpyship::compiler
