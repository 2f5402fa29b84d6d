// The command table: every `mpyship` subcommand is one row (name, summary, handler). Help text,
// `mpyship help <command>` and "did you mean" suggestions all come from this table.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::cli {

// Exit codes used by every command.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1; // the command ran and found a problem (bad file, failed check)
inline constexpr int k_exit_usage = 2;   // the command line itself was wrong

struct Command {
    std::string_view name;
    std::string_view summary;
    // Runs the command with the arguments after its name; `program` is used in usage text.
    int (*run)(std::string_view program, std::span<const std::string> args);
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);
std::vector<std::string_view> suggest_commands(std::string_view name);

std::string version_text();
int run(int argc, char** argv); // the whole CLI: parse, dispatch, exit code

} // namespace mpyship::cli
