// Compiler options: which runtime the output is for and the mpy-cross flags that change code.
#pragma once

#include <cstdint>
#include <string>

namespace mpyship::compiler {

// The two compilers we match. They differ in the header byte and in generated code
// (async functions, f-strings, t-strings).
enum class Target : std::uint8_t { micropython, circuitpython };

struct Options {
    Target target = Target::micropython;
    int opt_level = 0;                // -O level: 0 keeps asserts and __debug__ is True
    std::uint8_t small_int_bits = 31; // -msmall-int-bits
    std::string source_name;          // embedded file name (mpy-cross -s), qstr 0 of the module
    bool native_arch = false; // -march given: bytecode is unchanged, native decorators are not implemented
};

} // namespace mpyship::compiler
