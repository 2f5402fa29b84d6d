// Conversion of integer and float/imaginary literal tokens to values, with the reference's error
// messages ("invalid syntax for integer with base N: '...'", "invalid syntax for number").
#pragma once

#include "mpyship/compiler/ast.h"

#include <string_view>

namespace mpyship::compiler {

// `text` is the token text (underscores already dropped by the lexer). Throws CompileError at `pos`.
ConstValue parse_integer_literal(std::string_view text, SourcePos pos);
ConstValue parse_float_literal(std::string_view text, SourcePos pos);

} // namespace mpyship::compiler
