// The compiler's entry: runs the stages and turns the one CompileError they may throw into a result.
// Code generation is not written yet: after the front end accepts the source, the result is an
// explicit NotImplementedError, never a wrong file.
#include "mpyship/compiler/compiler.h"

#include "mpyship/compiler/lexer.h"

namespace mpyship::compiler {

std::expected<mpy::Module, CompileError> compile_module(std::string_view source, const Options& options) {
    try {
        Lexer lexer(source, options);
        for (Token t = lexer.next(); t.kind != Tok::end_of_input; t = lexer.next()) {
        }
        throw CompileError{"NotImplementedError", "mpyship cannot generate bytecode yet", {0, 0}, "", false};
    } catch (const CompileError& e) {
        return std::unexpected(e);
    }
}

std::string_view compiler_version() { return "mpyship-compiler-0"; }

} // namespace mpyship::compiler
