// The reference compiler's pre-interned long names, needed to tell whether a long string literal
// compiles to an interned qstr (LOAD_CONST_STRING) or to a string object (LOAD_CONST_OBJ).
#pragma once

#include <string_view>
#include <unordered_set>
#include <vector>

namespace mpyship::compiler {

const std::vector<std::string_view>& reference_long_qstrs();
// The same names as a set, built once per process.
const std::unordered_set<std::string_view>& reference_long_qstr_set();

} // namespace mpyship::compiler
