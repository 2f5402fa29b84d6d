// The reference compiler's pre-interned long names, needed to tell whether a long string literal
// compiles to an interned qstr (LOAD_CONST_STRING) or to a string object (LOAD_CONST_OBJ).
#pragma once

#include <string_view>
#include <vector>

namespace mpyship::compiler {

const std::vector<std::string_view>& reference_long_qstrs();

} // namespace mpyship::compiler
