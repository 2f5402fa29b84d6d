// Compiler options: which runtime the output is for and the mpy-cross flags that change code.
#pragma once

#include "mpyship/mpy/format.h"

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
    // -march: the architecture native code is for (bytecode is the same for all). march_given without an
    // architecture is -march=debug. Inline assembler functions are assembled for `arch`; the native and
    // viper emitters compile the functions that ask for them.
    mpy::NativeArch arch = mpy::NativeArch::none;
    bool march_given = false;
    // -march-flags, parsed for `arch` (compiler/arch_flags.h); not zero: named in the .mpy header.
    std::uint32_t arch_flags = 0;
    // -X emit=native: every scope without @micropython.bytecode is native code, the module's included
    // (needs -march; the CLI checks that).
    bool emit_native = false;
    // -X emit=viper: the same with viper code (emit_native is set too).
    bool emit_viper = false;
};

} // namespace mpyship::compiler
