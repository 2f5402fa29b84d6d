// MicroPython's repr of floats and imaginary numbers, as mpy-cross writes them into .mpy constants.
// The shortest of 16..19 significant digits whose text reads back (through the reference's own
// parser, see float_parse.h) to the value, the digits rounded from an extended-precision scaling;
// fixed notation for decimal exponents -4..15, otherwise d.ddde+XX. Exact for every double.
#pragma once

#include <string>

namespace mpyship::compiler {

std::string float_repr(double value); // e.g. "1.0", "1e+16", "76.59999999999999", "inf", "-0.0"
std::string imag_repr(double imag);   // a complex with zero real part, e.g. "2j", "1.5j", "infj"

} // namespace mpyship::compiler
