#include "mpyship/cli/command_table.h"

#include "mpyship/cli/color.h"
#include "mpyship/cli/commands.h"
#include "mpyship/util/edit_distance.h"
#include "mpyship/util/version.h"

#include <algorithm>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

int cmd_help(std::string_view program, std::span<const std::string> args);

constexpr Command k_commands[] = {
    {"build", "compile src/ into build/mpy/ and write build/manifest.json (incremental, parallel)",
     cmd_build},
    {"package", "build, then write reproducible build/mpy-files.tar.gz and .zip", cmd_package},
    {"deploy", "copy the build to a board's USB drive: incremental, safe, verified (--to PATH|auto)",
     cmd_deploy},
    {"device", "files on a board: ls, cat, get, put, rm, mkdir, df, hash, reset (--to PATH | --port DEV)",
     cmd_device},
    {"size", "build, then per-file .mpy sizes by section, shared strings, totals vs flash_budget / a drive",
     cmd_size},
    {"watch", "build and redeploy when src/ changes (--to PATH | --port DEV): one line per cycle",
     cmd_watch},
    {"clean", "remove the build outputs (build/mpy, manifest, cache, archives, firmware)", cmd_clean},
    {"verify", "check a build folder, release archive or drive against the manifest", cmd_verify},
    {"keygen", "make an Ed25519 key pair for signing OTA releases", cmd_keygen},
    {"publish", "build, then publish a signed OTA release into a static tree (--key FILE --out PUBDIR)",
     cmd_publish},
    {"serve", "serve a published OTA tree over HTTP (Content-Length, byte ranges)", cmd_serve},
    {"firmware", "build MicroPython firmware with the project frozen in: firmware build|lock|clean",
     cmd_firmware},
    {"flash", "put build/firmware/ on a board: esptool (esp32, esp8266) or a UF2 bootloader drive",
     cmd_flash},
    {"init", "write a starter mpyship.toml (and a CI workflow with --ci github)", cmd_init},
    {"compile", "compile one .py file to .mpy with mpy-cross options (--target circuitpython|micropython)",
     cmd_compile},
    {"inspect", "disassemble a .mpy file (header, qstrs, constants, code); --json for machines", cmd_inspect},
    {"help", "show help for mpyship or for one command", cmd_help},
    {"version", "print the mpyship version (--json: commit, compiler targets, features)", cmd_version},
    {"completion", "print a shell completion script: completion bash|zsh|fish", cmd_completion},
    {"man", "print the manual page mpyship(1) as roff", cmd_man},
};

void print_overview(std::string_view program) {
    fmt::print("mpyship: MicroPython / CircuitPython projects from source to device.\n\n");
    fmt::print("Usage: {} <command> [options]\n\nCommands:\n", program);
    for (const auto& c : k_commands)
        fmt::print("  {:<10} {}\n", c.name, c.summary);
    fmt::print("\nRun '{} help <command>' for a command's options. '{} --version' prints the version.\n"
               "'--color auto|always|never' (before or after the command) colours errors, warnings and notes.\n",
               program, program);
}

int unknown_command(std::string_view program, std::string_view name) {
    fmt::print(stderr, "{}: unknown command '{}'\n", program, name);
    auto close = suggest_commands(name);
    if (!close.empty())
        fmt::print(stderr, "did you mean '{}'?\n", close.front());
    fmt::print(stderr, "run '{} --help' for the list of commands\n", program);
    return k_exit_usage;
}

int cmd_help(std::string_view program, std::span<const std::string> args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        fmt::print("Show the list of commands, or one command's help.\nUsage: {} help [command]\n\n"
                   "Positionals:\n  {:<28}{}\n",
                   program, "command", "the command whose options to show");
        return k_exit_ok;
    }
    if (args.empty()) {
        print_overview(program);
        return k_exit_ok;
    }
    const Command* c = find_command(args[0]);
    if (!c)
        return unknown_command(program, args[0]);
    std::vector<std::string> help_args{"--help"};
    return c->run(program, help_args);
}

} // namespace

std::span<const Command> commands() {
    return k_commands;
}

const Command* find_command(std::string_view name) {
    for (const auto& c : k_commands)
        if (c.name == name)
            return &c;
    return nullptr;
}

std::vector<std::string_view> suggest_commands(std::string_view name) {
    std::vector<std::pair<std::size_t, std::string_view>> scored;
    for (const auto& c : k_commands) {
        std::size_t d = edit_distance(name, c.name);
        bool prefix = !name.empty() && c.name.starts_with(name);
        if (prefix || d <= std::max<std::size_t>(2, name.size() / 3))
            scored.emplace_back(prefix ? 0 : d, c.name);
    }
    std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<std::string_view> out;
    for (auto& s : scored)
        out.push_back(s.second);
    return out;
}

std::string version_text() {
    return "mpyship " + std::string(mpyship_version());
}

int run(int argc, char** argv) {
    std::string_view program = "mpyship";
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string_view name = argc > 0 ? std::string_view(argv[0]) : program;
    std::string_view base = name.substr(name.rfind('/') == name.npos ? 0 : name.rfind('/') + 1);
    if (base == "mpy-cross" || base == "mpy-cross-circuitpython")
        return run_as_mpy_cross(name, args,
                                base == "mpy-cross" ? compiler::Target::micropython
                                                    : compiler::Target::circuitpython);
    if (auto bad = take_color_option(args)) {
        print_error(*bad);
        return k_exit_usage;
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        print_overview(program);
        return args.empty() ? k_exit_usage : k_exit_ok;
    }
    if (args[0] == "--version" || args[0] == "-V")
        return cmd_version(program, {});
    const Command* c = find_command(args[0]);
    if (!c)
        return unknown_command(program, args[0]);
    return c->run(program, std::span<const std::string>(args).subspan(1));
}

} // namespace mpyship::cli
