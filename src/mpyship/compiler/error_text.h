// The text mpy-cross prints for a compile error, byte for byte: a traceback header, the File line (with
// ", in scope" for errors found by the compiler proper), then "Kind: message". CircuitPython's mpy-cross
// ends the Traceback and File lines with CRLF; a few errors print only their last line.
#pragma once

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/options.h"

#include <string>
#include <string_view>

namespace mpyship::compiler {

std::string mpy_cross_error_text(const CompileError& error, std::string_view file_shown, Target target);

} // namespace mpyship::compiler
