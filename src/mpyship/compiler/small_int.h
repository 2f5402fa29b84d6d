// Constant values for the emitter: which integers the reference keeps as small ints (LOAD_CONST_SMALL_INT)
// and which become int objects in the constant table (a value is small when it fits `small_int_bits` as a
// signed number: -msmall-int-bits, default 31, capped at the host's 63), and constructors for constants.
#pragma once

#include "mpyship/mpy/model.h"

#include <cstdint>
#include <string>

namespace mpyship::compiler {

bool fits_small_int(std::int64_t value, unsigned small_int_bits);
mpy::Constant int_constant(std::int64_t value); // an int object with its decimal repr
mpy::Constant str_constant(std::string text);
mpy::Constant bytes_constant(std::string data);

} // namespace mpyship::compiler
