// `mpyship inspect FILE.mpy [--json]`: prints the disassembly; a malformed file is reported as
// `FILE: error: <what> at offset N` with exit code 1.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/util/file_io.h"

#include <fmt/core.h>

namespace mpyship::cli {

int cmd_inspect(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Disassemble a .mpy file: header, qstr table, constants, then each function's prelude and "
                 "instructions, children indented under their parent.",
                 std::string(program) + " inspect"};
    std::string file;
    bool json = false;
    app.add_option("file", file, "the .mpy file to inspect")->required();
    app.add_flag("--json", json, "print the disassembly as JSON");
    if (auto rc = parse_args(app, args))
        return *rc;

    auto data = read_file(file);
    auto module = data ? mpy::read_module(*data) : std::expected<mpy::Module, mpy::ReadError>();
    if (!data || !module) {
        std::string message = data ? module.error().to_string() : data.error().message;
        if (json)
            fmt::print("{}\n", nlohmann::ordered_json{{"ok", false}, {"error", file + ": " + message}}.dump(2));
        print_diagnostics(stderr, fmt::format("{}: error: {}\n", file, message));
        return k_exit_failure;
    }
    if (json)
        fmt::print("{}\n", mpy::disassemble_json(*module).dump(2, ' ', false,
                                                               nlohmann::json::error_handler_t::replace));
    else
        fmt::print("{}", mpy::disassemble(*module));
    return k_exit_ok;
}

} // namespace mpyship::cli
