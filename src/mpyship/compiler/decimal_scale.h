// Multiplying by a power of ten the way the reference does it, in x87 extended precision: the
// factor 10^|exponent| is never formed whole; instead the value is multiplied (or divided) in turn
// by 10^1, 10^2, 10^4, 10^8, ... for each set bit of |exponent|, each factor squared from the last.
// Float literal parsing and float repr both go through this, and their exact rounding depends on it.
#pragma once

#include <limits>

namespace mpyship::compiler {

// The reference compilers run on x86-64, where long double is the 80-bit x87 format; their float texts
// (and so our byte identity) depend on its 64-bit mantissa. Fail the build elsewhere rather than emit
// subtly different constants.
static_assert(std::numeric_limits<long double>::digits == 64,
              "float constants match mpy-cross only with an x87 80-bit long double");

long double scale_by_power_of_ten(long double value, int exponent);

} // namespace mpyship::compiler
