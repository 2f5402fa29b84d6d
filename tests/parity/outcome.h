// What one compiler made of one program (the .mpy bytes, or the exact error text), and how two outcomes
// differ: the class of the first differing element, in the order header, qstr table, constants, bytecode,
// line table, so that a report can group differences by kind.
#pragma once

#include "mpyship/compiler/options.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mpyship::parity {

struct Outcome {
    bool compiled = false;
    std::vector<std::uint8_t> mpy; // when compiled
    std::string error;             // when not: stderr as mpy-cross prints it
    bool timed_out = false;        // the reference did not finish (its outcome is unknown)
};

struct Config {
    compiler::Target target = compiler::Target::micropython;
    int opt_level = 0;
    int small_int_bits = 31;
    std::string march; // -march=ARCH for native code, or "" for none
};

std::string describe(const Config& config); // "mp -O2 -msmall-int-bits=63 [-march=x64]"

// "" when the outcomes are the same; otherwise a class name such as "line table", "error text:
// SyntaxError", "accepts: reference only".
std::string difference_class(const Outcome& ours, const Outcome& reference);

// Our compiler, in process.
Outcome compile_ours(const std::string& source, const Config& config);

// Our compiler declined the program because it needs native code we do not emit yet (not a difference).
bool refused_as_not_implemented(const Outcome& ours);

} // namespace mpyship::parity
