// MicroPython's repr of floats and complex numbers as mpy-cross writes them into .mpy constant tables:
// 16 significant digits (more only when needed to read back), fixed notation for exponents -4..15,
// otherwise d.ddde+XX. Approximation: the reference's own decimal scaling can pick a neighbouring
// 16-digit text (76.6 -> 76.59999999999999) that this does not reproduce.
#pragma once

#include <string>

namespace mpyship::compiler {

std::string float_repr(double value); // e.g. "1.0", "1e+16", "inf", "-0.0"
std::string imag_repr(double imag);   // a complex with zero real part, e.g. "2j", "1.5j"

} // namespace mpyship::compiler
