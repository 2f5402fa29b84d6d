// The compiler's entry point: Python source text -> .mpy module model. Errors from every stage (lexer,
// parser, scope analysis, code generation) arrive as one CompileError; nothing is thrown out of here.
#pragma once

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/options.h"
#include "mpyship/mpy/model.h"

#include <expected>
#include <string_view>

namespace mpyship::compiler {

std::expected<mpy::Module, CompileError> compile_module(std::string_view source, const Options& options);

// Identifies the compiler's output format and behaviour; part of build cache keys.
std::string_view compiler_version();

} // namespace mpyship::compiler
