#include "mpyship/cli/mpy_cross_args.h"

#include "mpyship/compiler/arch_flags.h"

#include "mpyship/mpy/format.h"

#include <array>
#include <cstdlib>

namespace mpyship::cli {
namespace {

constexpr std::array<std::string_view, 14> k_arch_names = {
    "x86",       "x64",    "armv6",     "armv6m",  "armv7m",  "armv7em", "armv7emsp",
    "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc", "host",    "debug"};

MpyCrossExit usage_exit(std::string_view program) {
    return MpyCrossExit{1, mpy_cross_usage(program), {}};
}
MpyCrossExit message_exit(std::string text) {
    return MpyCrossExit{1, {}, std::move(text) + "\n"};
}

// Parses a C-style integer (decimal, 0x hex, 0 octal) filling the whole string, as strtol with base 0.
std::optional<long> parse_c_integer(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 0);
    if (*end != '\0')
        return std::nullopt;
    return v;
}

// The -X options are checked before everything else, as mpy-cross does.
std::optional<MpyCrossExit>
check_implementation_options(std::string_view program, std::span<const std::string> args, std::string& emit) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] != "-X")
            continue;
        if (i + 1 >= args.size())
            return usage_exit(program);
        const std::string& x = args[++i];
        if (x == "emit=bytecode" || x == "emit=native" || x == "emit=viper")
            emit = x.substr(5);
        else if (!x.starts_with("heapsize=")) // any value is accepted, as by mpy-cross
            return usage_exit(program);
    }
    return std::nullopt;
}

int count_optimisation(const std::string& arg) {
    if (arg.size() > 2 && arg[2] >= '0' && arg[2] <= '9')
        return arg[2] & 0xf;
    int level = 0;
    for (std::size_t i = 1; i < arg.size() && arg[i] == 'O'; ++i)
        ++level;
    return level;
}

std::optional<compiler::Target> parse_target(std::string_view name) {
    if (name == "micropython")
        return compiler::Target::micropython;
    if (name == "circuitpython")
        return compiler::Target::circuitpython;
    return std::nullopt;
}

// Handles one option at args[i]; may consume the next argument. Returns an exit to stop parsing.
std::optional<MpyCrossExit> parse_option(std::string_view program, std::span<const std::string> args,
                                         std::size_t& i, bool allow_target, MpyCrossArgs& out,
                                         bool& options_active, bool& version) {
    const std::string& a = args[i];
    auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "-X") {
        ++i;
    } else if (a == "--version") {
        version = true;
    } else if (a == "-v") {
        ++out.verbose;
    } else if (a.starts_with("-O")) {
        out.opt_level = count_optimisation(a);
    } else if (a == "-o" || a == "-s") {
        const std::string* v = next();
        if (!v)
            return usage_exit(program);
        (a == "-o" ? out.output : out.source_name) = *v;
    } else if (a.starts_with("-msmall-int-bits=")) {
        auto bits = parse_c_integer(a.substr(17));
        if (!bits)
            return usage_exit(program);
        out.small_int_bits = int(*bits);
    } else if (a.starts_with("-march=")) {
        std::string arch = a.substr(7);
        bool known = false;
        for (auto n : k_arch_names)
            known = known || n == arch;
        if (!known)
            return usage_exit(program);
        out.march = arch;
    } else if (a.starts_with("-march-flags=")) {
        out.march_flags = a.substr(13);
    } else if (a == "--") {
        options_active = false;
    } else if (allow_target && (a == "--target" || a.starts_with("--target="))) {
        const std::string* v = a == "--target" ? next() : &a;
        std::string name = !v ? "" : (a == "--target" ? *v : a.substr(9));
        auto t = parse_target(name);
        if (!t)
            return message_exit("unknown target '" + name + "': expected micropython or circuitpython");
        out.target = *t;
    } else {
        return usage_exit(program);
    }
    return std::nullopt;
}

std::string backslash_to_slash(std::string s) {
    for (char& c : s)
        if (c == '\\')
            c = '/';
    return s;
}

} // namespace

std::string mpy_cross_usage(std::string_view program) {
    std::string p(program);
    return "usage: " + p +
           " [<opts>] [-X <implopt>] [--] <input filename>\n"
           "Options:\n"
           "--version : show version information\n"
           "-o : output file for compiled bytecode (defaults to input filename with .mpy extension, or "
           "stdout if "
           "input is stdin)\n"
           "-s : source filename to embed in the compiled bytecode (defaults to input file)\n"
           "-v : verbose (trace various operations); can be multiple\n"
           "-O[N] : apply bytecode optimizations of level N\n"
           "\n"
           "Target specific options:\n"
           "-msmall-int-bits=number : set the maximum bits used to encode a small-int\n"
           "-march=<arch> : set architecture for native emitter;\n"
           "                x86, x64, armv6, armv6m, armv7m, armv7em, armv7emsp,\n"
           "                armv7emdp, xtensa, xtensawin, rv32imc, rv64imc, host, debug\n"
           "-march-flags=<flags> : set architecture-specific flags (can be either a dec/hex/bin value or a "
           "comma-separated flags string)\n"
           "                       supported flags for rv32imc: zba, zcmp\n"
           "\n"
           "Implementation specific options:\n"
           "  emit={bytecode,native,viper} -- set the default code emitter\n"
           "  heapsize=<n> -- set the heap size for the GC (default 2097152)\n";
}

std::string mpy_cross_version(compiler::Target target) {
    std::string runtime =
        target == compiler::Target::circuitpython ? "CircuitPython 10.2.1" : "MicroPython v1.28.0";
    return runtime + " (mpyship); mpy-cross emitting mpy v" + std::to_string(mpy::k_version) + "." +
           std::to_string(mpy::k_sub_version) + "\n";
}

std::string default_output_name(const std::string& input) {
    std::string base = input.size() >= 2 ? input.substr(0, input.size() - 2) : std::string();
    return base + "mpy";
}

MpyCrossParse parse_mpy_cross_args(std::string_view program, std::span<const std::string> args,
                                   bool allow_target, compiler::Target default_target) {
    std::string emit = "bytecode";
    if (auto stop = check_implementation_options(program, args, emit))
        return *stop;
    MpyCrossArgs out;
    out.target = default_target;
    bool options_active = true, version = false, have_input = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_active && a.size() > 1 && a[0] == '-') {
            if (auto stop = parse_option(program, args, i, allow_target, out, options_active, version))
                return *stop;
            if (version)
                return MpyCrossExit{0, mpy_cross_version(out.target), {}};
            continue;
        }
        if (have_input)
            return message_exit("multiple input files");
        out.input = backslash_to_slash(a);
        have_input = true;
    }
    if (out.source_name)
        out.source_name = backslash_to_slash(*out.source_name);
    if (emit != "bytecode" && !out.march)
        return message_exit("arch not specified");
    if (out.march && out.march_flags) {
        const auto arch = mpy::native_arch_from_name(*out.march).value_or(mpy::NativeArch::none);
        const auto flags = compiler::parse_arch_flags(arch, *out.march_flags);
        if (!flags)
            return message_exit("unrecognised arch flags");
        out.arch_flags = *flags;
    }
    if (!have_input)
        return message_exit("no input file");
    // -march alone changes nothing in bytecode (the ports pass it for every frozen module); only code that
    // needs the native emitter fails, in the compiler. emit=viper is native code typed: where mpy-cross 1.28
    // fails an assertion under it (a module-level store of a machine value) the compiler refuses clearly.
    out.emit_native = emit == "native" || emit == "viper";
    out.emit_viper = emit == "viper";
    return out;
}

} // namespace mpyship::cli
