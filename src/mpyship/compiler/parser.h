// Entry point of the front end: source text to a typed AST (see ast.h), with constant folding applied.
// Throws CompileError with exactly the reference's kind, message and line for lexer/parser errors.
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/options.h"

#include <string_view>

namespace mpyship::compiler {

Module parse_module(std::string_view source, const Options& options);

} // namespace mpyship::compiler
