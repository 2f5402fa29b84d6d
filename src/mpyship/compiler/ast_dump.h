// A compact, stable text rendering of the AST (S-expressions) for tests and debugging.
#pragma once

#include "mpyship/compiler/ast.h"

#include <string>

namespace mpyship::compiler {

std::string dump_const(const ConstValue& v);
std::string dump_expr(const Expr& e);
std::string dump_module(const Module& m); // one top-level statement per line
std::string dump_stmt(const Stmt& s);

} // namespace mpyship::compiler
