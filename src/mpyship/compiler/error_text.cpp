#include "mpyship/compiler/error_text.h"

namespace mpyship::compiler {

std::string mpy_cross_error_text(const CompileError& e, std::string_view file_shown, Target target) {
    // Without a traceback the reference prints "Kind: message" even for an empty message ("MemoryError: ").
    if (!e.has_traceback)
        return e.kind + ": " + e.message + "\n";
    std::string last = e.kind + (e.message.empty() ? "" : ": " + e.message) + "\n";
    const char* eol = target == Target::circuitpython ? "\r\n" : "\n";
    std::string text = std::string("Traceback (most recent call last):") + eol;
    text += "  File \"" + std::string(file_shown) + "\", line " + std::to_string(e.pos.line);
    // CircuitPython's File line ends with CRLF only when it names a scope.
    if (e.scope_name.empty())
        return text + "\n" + last;
    return text + ", in " + e.scope_name + eol + last;
}

} // namespace mpyship::compiler
