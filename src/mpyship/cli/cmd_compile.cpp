// `mpyship compile [mpy-cross options] [--target T] FILE.py`, and the drop-in mode: the binary run under
// the name `mpy-cross` behaves exactly like mpy-cross v1.28.0 (options, default output name, stderr text,
// exit codes); under the name `mpy-cross-circuitpython` like CircuitPython 10.2.1's.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/mpy_cross_args.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/compiler/error_text.h"
#include "mpyship/mpy/writer.h"
#include "mpyship/util/file_io.h"

#include <cstdio>
#include <unistd.h>

namespace mpyship::cli {
namespace {

// mpy-cross reports I/O failures as uncaught OSErrors.
int os_error(const Error& e, const std::string& file, bool opening) {
    if (opening)
        std::fprintf(stderr, "OSError: (%d, \"can't open %s\")\n", e.sys_errno, file.c_str());
    else
        std::fprintf(stderr, "OSError: %d\n", e.sys_errno);
    return k_exit_failure;
}

bool write_stdout(const mpy::Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
        if (n <= 0)
            return false;
        done += std::size_t(n);
    }
    return true;
}

// -march's architecture: host is this machine's (x64 here), debug has none.
mpy::NativeArch arch_from_name(std::string_view name) {
    if (name == "host")
        return sizeof(void*) == 8 ? mpy::NativeArch::x64 : mpy::NativeArch::x86;
    return mpy::native_arch_from_name(name).value_or(mpy::NativeArch::none);
}

int compile_file(const MpyCrossArgs& a) {
    bool from_stdin = a.input == "-";
    std::string shown = from_stdin ? "<stdin>" : a.input;
    auto source = from_stdin ? read_stream_to_end(STDIN_FILENO, shown) : read_file(a.input);
    if (!source)
        return os_error(source.error(), a.input, source.error().sys_errno != EISDIR);
    compiler::Options options;
    options.target = a.target;
    options.opt_level = a.opt_level;
    options.small_int_bits = std::uint8_t(a.small_int_bits);
    options.source_name = a.source_name.value_or(shown);
    options.march_given = a.march.has_value();
    options.arch = a.march ? arch_from_name(*a.march) : mpy::NativeArch::none;
    options.arch_flags = a.arch_flags;
    options.emit_native = a.emit_native;
    options.emit_viper = a.emit_viper;
    auto module = compiler::compile_module(as_text(*source), options);
    if (!module) {
        // Parse errors name the input path (the lexer's name); compile errors name the -s source name.
        const std::string& file = module.error().scope_name.empty() ? shown : options.source_name;
        std::string text = compiler::mpy_cross_error_text(module.error(), file, a.target);
        std::fwrite(text.data(), 1, text.size(), stderr);
        return k_exit_failure;
    }
    mpy::Bytes bytes = mpy::write_module(*module);
    std::string out = a.output.value_or(from_stdin ? "-" : default_output_name(a.input));
    if (out == "-")
        return write_stdout(bytes) ? k_exit_ok : k_exit_failure;
    if (auto w = write_file_atomic(out, bytes); !w)
        return os_error(w.error(), out, true);
    return k_exit_ok;
}

int run_mpy_cross(std::string_view program, std::span<const std::string> args, bool allow_target,
                  compiler::Target target) {
    auto parsed = parse_mpy_cross_args(program, args, allow_target, target);
    if (auto* stop = std::get_if<MpyCrossExit>(&parsed)) {
        std::fwrite(stop->out.data(), 1, stop->out.size(), stdout);
        std::fwrite(stop->err.data(), 1, stop->err.size(), stderr);
        return stop->exit_code;
    }
    return compile_file(std::get<MpyCrossArgs>(parsed));
}

} // namespace

int cmd_compile(std::string_view program, std::span<const std::string> args) {
    return run_mpy_cross(std::string(program) + " compile", args, true, compiler::Target::micropython);
}

int run_as_mpy_cross(std::string_view argv0, std::span<const std::string> args, compiler::Target target) {
    return run_mpy_cross(argv0, args, false, target);
}

} // namespace mpyship::cli
