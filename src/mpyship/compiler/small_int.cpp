#include "mpyship/compiler/small_int.h"

#include <algorithm>
#include <string>

namespace mpyship::compiler {
namespace {
constexpr unsigned k_host_small_int_bits = 63;
}

bool fits_small_int(std::int64_t value, unsigned small_int_bits) {
    const unsigned bits = std::clamp(small_int_bits, 2u, k_host_small_int_bits);
    const std::int64_t limit = std::int64_t(1) << (bits - 1);
    return -limit <= value && value < limit;
}

mpy::Constant int_constant(std::int64_t value) {
    return mpy::Constant{mpy::ObjKind::int_, std::to_string(value), {}};
}

mpy::Constant str_constant(std::string text) {
    return mpy::Constant{mpy::ObjKind::str, std::move(text), {}};
}

mpy::Constant bytes_constant(std::string data) {
    return mpy::Constant{mpy::ObjKind::bytes, std::move(data), {}};
}

} // namespace mpyship::compiler
