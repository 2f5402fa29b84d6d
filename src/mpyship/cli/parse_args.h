// CLI11 glue shared by the command handlers: parse a command's arguments, print help or the error, and
// tell the caller whether to stop (with which exit code).
#pragma once

#include "mpyship/cli/command_table.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mpyship::cli {

// nullopt: parsed, go on. A value: stop and return it (help was printed, or the usage error was).
inline std::optional<int> parse_args(CLI::App& app, std::span<const std::string> args) {
    std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 consumes from the back
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        app.exit(e);
        return k_exit_ok;
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return k_exit_usage;
    }
    return std::nullopt;
}

} // namespace mpyship::cli
