// Command-line parsing of mpy-cross's options, shared by `mpyship compile` and by the drop-in mode
// (the binary invoked as `mpy-cross`). It reproduces mpy-cross v1.28.0's rules: which options exist,
// -O counting, -X implementation options, usage text on stdout with exit code 1, and its short messages.
#pragma once

#include "mpyship/compiler/options.h"

#include <optional>
#include <span>
#include <string>
#include <variant>

namespace mpyship::cli {

struct MpyCrossArgs {
    std::string input;                                       // "-" for stdin
    std::optional<std::string> output;                       // -o; "-" for stdout
    std::optional<std::string> source_name;                  // -s
    int opt_level = 0;                                       // -O[N]
    int small_int_bits = 31;                                 // -msmall-int-bits=N
    int verbose = 0;                                         // -v (counted)
    std::optional<std::string> march;                        // -march=ARCH (validated name)
    std::optional<std::string> march_flags;                  // -march-flags=FLAGS
    std::uint32_t arch_flags = 0; // FLAGS parsed for -march (ignored without -march, as by mpy-cross)
    compiler::Target target = compiler::Target::micropython; // --target (mpyship compile only)
    bool emit_native = false;                                // -X emit=native or viper
    bool emit_viper = false;                                 // -X emit=viper
};

// What to do instead of compiling: print and exit.
struct MpyCrossExit {
    int exit_code = 0;
    std::string out; // for stdout
    std::string err; // for stderr
};

using MpyCrossParse = std::variant<MpyCrossArgs, MpyCrossExit>;

// `program` is argv[0] as shown in the usage line. `allow_target` enables mpyship's --target extension.
MpyCrossParse parse_mpy_cross_args(std::string_view program, std::span<const std::string> args,
                                   bool allow_target, compiler::Target default_target);

std::string mpy_cross_usage(std::string_view program);
std::string mpy_cross_version(compiler::Target target);

// Default output file for an input, as mpy-cross derives it: drop the last two characters, add "mpy".
std::string default_output_name(const std::string& input);

} // namespace mpyship::cli
