// The one error the compiler raises. Thrown inside the lexer, parser and compiler, caught once at the
// compiler's entry and returned as std::unexpected. `kind` and `message` are exactly what mpy-cross
// prints ("SyntaxError", "invalid syntax"); the location is kept for human-friendly diagnostics.
#pragma once

#include "mpyship/compiler/token.h"

#include <string>

namespace mpyship::compiler {

struct CompileError {
    std::string kind; // exception type: SyntaxError, IndentationError, NotImplementedError, RuntimeError, ...
    std::string message; // exception message as mpy-cross prints it
    SourcePos pos;       // where it was found (line 0 when mpy-cross reports no line)
    std::string
        scope_name; // function/scope name for errors found by the compiler proper ("" for lexer/parser)
    bool has_traceback =
        true; // false for errors mpy-cross prints without a traceback (e.g. unicode name escapes)
    // The module needs code generation mpyship cannot do here: native/viper/asm without -march ("invalid
    // arch"), or native/viper with it (not implemented yet). A project build ships such a module as source.
    bool needs_native_arch = false;
};

} // namespace mpyship::compiler
