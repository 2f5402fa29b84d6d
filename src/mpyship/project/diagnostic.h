// Human-friendly compile diagnostics for `mpyship build`, in the style of ninja/gcc:
//   src/lib/x.py:3:5: error: invalid syntax
//       x = (1,
//           ^
// (mpy-cross's exact traceback text is the compiler's error_text; this is the readable form.)
#pragma once

#include "mpyship/compiler/compile_error.h"

#include <string>
#include <string_view>

namespace mpyship::project {

std::string format_diagnostic(const compiler::CompileError& error, std::string_view path,
                              std::string_view source);

} // namespace mpyship::project
