// The compiler's entry: runs the stages (parse to a typed AST, generate code for every scope, assemble the
// module) and turns the one CompileError they may throw into a result.
#include "mpyship/compiler/compiler.h"

#include "mpyship/compiler/codegen.h"
#include "mpyship/compiler/module_builder.h"
#include "mpyship/compiler/parser.h"

namespace mpyship::compiler {

std::expected<mpy::Module, CompileError> compile_module(std::string_view source, const Options& options) {
    try {
        const Module tree = parse_module(source, options);
        ModuleBuilder builder(options);
        CodeGen codegen(builder, options);
        codegen.generate(tree);
        return builder.build();
    } catch (const CompileError& e) {
        return std::unexpected(e);
    }
}

std::string_view compiler_version() {
    return "mpyship-compiler-1";
}

} // namespace mpyship::compiler
