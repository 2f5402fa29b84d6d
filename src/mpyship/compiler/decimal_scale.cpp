// Power-of-ten scaling through binary powers of ten, as documented in decimal_scale.h.
#include "mpyship/compiler/decimal_scale.h"

namespace mpyship::compiler {

long double scale_by_power_of_ten(long double value, int exponent) {
    if (exponent == 0 || value == 0.0L)
        return value;
    const bool shrink = exponent < 0;
    unsigned bits = shrink ? 0u - static_cast<unsigned>(exponent) : static_cast<unsigned>(exponent);
    long double factor = 10.0L; // 10^(2^k) for the bit under consideration
    for (;;) {
        if ((bits & 1u) != 0)
            value = shrink ? value / factor : value * factor;
        bits >>= 1;
        if (bits == 0)
            return value;
        factor *= factor;
    }
}

} // namespace mpyship::compiler
