// Conversion of folded constant values (ast.h ConstValue) to .mpy constant-table objects, including the
// text forms the .mpy format stores for ints, floats and complex numbers.
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/small_int.h"
#include "mpyship/mpy/model.h"

namespace mpyship::compiler {

mpy::Constant to_mpy_constant(const ConstValue& value);

} // namespace mpyship::compiler
