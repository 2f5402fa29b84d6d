// The reference's conversion of unsigned decimal text ("12.5", "1_0e-3", ".5", "5.") to a double.
// Not correctly rounded: at most ~19 leading significant digits are kept (truncated, never rounded)
// as a 64-bit integer, which is then scaled by its power of ten in extended precision and finally
// rounded to double. Used for float literals and by float_repr to check that a text reads back.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace mpyship::compiler {

struct ParsedFloat {
    double value = 0;
    std::size_t length = 0; // characters consumed; parsing stops at the first one that cannot belong
};

// nullopt when an exponent marker is not followed by anything ("1e", "1e+"). Underscores are skipped
// anywhere; `length` counts them, so the caller sees where the number ends (0: no number at all).
std::optional<ParsedFloat> parse_decimal_float(std::string_view text);

} // namespace mpyship::compiler
