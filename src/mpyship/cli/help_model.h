// Every command's help, read back as data: each command in the table is run with `--help` inside this
// process (its stdout captured), and the text is parsed into options, positionals and subcommands. The
// completion scripts and the man page are generated from this, so they say exactly what `--help` says and
// a command added to the table appears in both without further work.
#pragma once

#include "mpyship/cli/command_table.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::cli {

struct HelpItem {
    std::vector<std::string> names; // "-j", "--jobs"; a positional's or subcommand's one name
    std::string value;              // "TEXT", "UINT:UINT in [1 - 1024]"; empty for a flag
    std::string text;               // the description (continuation lines joined with '\n')

    bool is_option() const { return !names.empty() && names.front().starts_with('-'); }
    bool takes_value() const { return !value.empty(); }
    // The values a `{a,b}` in the value spelling allows ("TEXT:{circuitpython,micropython}").
    std::vector<std::string> choices() const;
};

struct HelpSection {
    std::string title; // "Options", "Positionals", "Subcommands", ...
    std::vector<HelpItem> items;
};

struct CommandHelp {
    std::string path;        // "build", "firmware build"
    std::string summary;     // the command table's one line (the parent's subcommand line for a subcommand)
    std::string description; // the text before the usage line
    std::string usage;
    std::vector<HelpSection> sections;
    std::vector<CommandHelp> subcommands;

    std::vector<const HelpItem*> options() const;
    std::vector<const HelpItem*> positionals() const;
};

// "Subcommands", "Verbs", "Commands": a section listing the words that may follow the command.
bool is_subcommand_section(std::string_view title);

// Parses one command's help text (CLI11's layout, and the mpy-cross layout `compile` prints).
CommandHelp parse_help(std::string_view text);

// Runs `mpyship <words...> --help` in this process and returns what it printed on stdout.
std::string capture_help(const Command& command, const std::vector<std::string>& subcommand_words);

// The help of every command in the table (with its subcommands), in table order.
std::vector<CommandHelp> collect_help();

// Options that `run` accepts before (or after) any command.
struct GlobalOption {
    std::string_view names; // "--color"
    std::string_view value; // "WHEN"; empty for a flag
    std::string_view text;
    std::vector<std::string_view> choices;
};
std::span<const GlobalOption> global_options();

} // namespace mpyship::cli
