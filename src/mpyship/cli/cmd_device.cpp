// `mpyship device VERB`: everyday file work on a board (ls, cat, get, put, rm, mkdir, df, hash, reset)
// through its mounted drive or its serial raw REPL. This file holds the verb table, the dispatch and the
// opening of the board; the verbs are in cmd_device_files.cpp.
// Test-only hook, as in deploy: MPYSHIP_FAULT_AFTER_STEPS=N kills the process with SIGKILL before the
// drive change that follows the first N.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/device_args.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/deploy/drive_probe.h"
#include "mpyship/device/drive_fs.h"
#include "mpyship/device/serial_fs.h"
#include "mpyship/serial/serial_ports.h"
#include "mpyship/util/edit_distance.h"

#include <csignal>
#include <cstdlib>
#include <fmt/core.h>
#include <unistd.h>

namespace mpyship::cli {
namespace {

struct Verb {
    std::string_view name;
    std::string_view summary;
    int (*run)(std::string_view program, std::span<const std::string> args);
};

constexpr Verb k_verbs[] = {
    {"ls", "list a folder ([PATH] [-r]; sizes, folders end with /)", device_ls},
    {"cat", "print a file", device_cat},
    {"get", "copy a file from the board (FILE [DEST])", device_get},
    {"put", "copy a file onto the board (FILE [DEST]): temporary name, checked, renamed", device_put},
    {"rm", "remove a file, or a folder with -r (protected files need --force)", device_rm},
    {"mkdir", "create a folder", device_mkdir},
    {"df", "total and free space", device_df},
    {"hash", "SHA-256 of a file, computed on the board", device_hash},
    {"run", "run a local script on the board without copying it, streaming its output (serial only)",
     device_run},
    {"repl", "the terminal passed through to the board's REPL; Ctrl-] leaves (serial only)", device_repl},
    {"reset", "reset the board (--soft, the default, or --hard; serial only)", device_reset},
};

void print_verbs(std::string_view program) {
    fmt::print("Usage: {} device VERB [options] (--to PATH|auto | --port DEV|auto)\n\nVerbs:\n", program);
    for (const auto& v : k_verbs)
        fmt::print("  {:<6} {}\n", v.name, v.summary);
    fmt::print("\nRun '{} device VERB --help' for a verb's options.\n", program);
}

int unknown_verb(std::string_view program, std::string_view name) {
    fmt::print(stderr, "{}: unknown device verb '{}'\n", program, name);
    for (const auto& v : k_verbs)
        if (edit_distance(name, v.name) <= 2) {
            fmt::print(stderr, "did you mean '{}'?\n", v.name);
            break;
        }
    return k_exit_usage;
}

deploy::StepHook fault_hook() {
    const char* env = std::getenv("MPYSHIP_FAULT_AFTER_STEPS");
    if (!env)
        return {};
    long long limit = std::atoll(env);
    return [limit, steps = 0LL](std::string_view, const std::string&) mutable {
        if (limit >= 0 && steps >= limit)
            ::kill(::getpid(), SIGKILL);
        ++steps;
    };
}

Result<std::unique_ptr<device::DeviceFs>> open_drive(const std::string& to) {
    auto root = to == "auto" ? deploy::find_board_drive() : Result<std::filesystem::path>(to);
    auto drive = root ? deploy::probe_drive(*root) : std::unexpected(root.error());
    if (!drive)
        return std::unexpected(drive.error());
    return std::make_unique<device::DriveFs>(drive->root, true, fault_hook());
}

Result<std::unique_ptr<device::DeviceFs>> open_serial(const DeviceArgs& a) {
    auto port = a.port == "auto" ? serial::find_board_port() : Result<std::string>(a.port);
    if (!port)
        return std::unexpected(port.error());
    auto fs = device::SerialFs::open(*port, a.baud);
    if (!fs)
        return std::unexpected(fs.error());
    return std::unique_ptr<device::DeviceFs>(std::move(*fs));
}

} // namespace

void add_device_options(CLI::App& app, DeviceArgs& a, bool json) {
    app.add_option("--to", a.to, "the board's mounted USB drive, or 'auto' (the one drive with boot_out.txt)");
    app.add_option("--port", a.port, "the board's serial device (e.g. /dev/ttyACM0), or 'auto'");
    app.add_option("--baud", a.baud, "serial baud rate (default 115200; USB CDC boards ignore it)");
    if (json)
        app.add_flag("--json", a.json, "print the result as JSON");
}

Result<std::unique_ptr<device::DeviceFs>> open_device(const DeviceArgs& a) {
    if (a.to.empty() == a.port.empty())
        return fail("say where the board is: --to PATH|auto (its USB drive) or --port DEV|auto (serial), "
                    "not both");
    return a.to.empty() ? open_serial(a) : open_drive(a.to);
}

int with_device(const DeviceArgs& a, const std::function<Result<void>(device::DeviceFs&)>& body) {
    auto fs = open_device(a);
    if (!fs)
        return report_error(fs.error(), a.json);
    auto done = body(**fs);
    auto closed = (*fs)->close();
    if (!done)
        return report_error(done.error(), a.json);
    if (!closed)
        return report_error(closed.error(), a.json);
    return k_exit_ok;
}

int cmd_device(std::string_view program, std::span<const std::string> args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        print_verbs(program);
        return args.empty() ? k_exit_usage : k_exit_ok;
    }
    for (const auto& v : k_verbs)
        if (v.name == args[0])
            return v.run(program, args.subspan(1));
    return unknown_verb(program, args[0]);
}

} // namespace mpyship::cli
