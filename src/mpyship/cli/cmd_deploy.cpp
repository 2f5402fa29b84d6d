// `mpyship deploy [DIR] --to PATH|auto`: copy a project's build onto a board's USB drive (plan, then act).
// `--port DEV|auto` (the serial deploy, cmd_deploy_serial.cpp) shares this command and its options.
// Test-only hook: MPYSHIP_FAULT_AFTER_STEPS=N kills the process with SIGKILL before the drive change after
// the first N (fault-injection tests); with the variable set, the number of steps taken goes to stderr, and
// MPYSHIP_FAULT_TRACE=1 lists each step.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/deploy_args.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/deploy/deploy_drive.h"

#include <csignal>
#include <cstdlib>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

void add_deploy_options(CLI::App& app, DeployArgs& a) {
    app.add_option("dir", a.dir, "project folder (default: the current folder)");
    app.add_option("--to", a.to,
                   "the board's mounted USB drive, or 'auto' for the one mounted drive with boot_out.txt");
    app.add_option("--port", a.port,
                   "serial device (e.g. /dev/ttyACM0) for a deploy over the raw REPL, or 'auto'");
    app.add_option("--baud", a.baud, "serial baud rate (default 115200; USB CDC boards ignore it)");
    app.add_flag("--reset", a.reset, "soft-reset the board after a serial deploy");
    app.add_flag("--delete{recorded}", a.delete_mode,
                 "remove files an earlier deploy wrote that the build no longer has; --delete=all mirrors "
                 "the build")
        ->check(CLI::IsMember({"recorded", "all"}));
    app.add_option("--keep", a.keep, "glob of drive paths never written or removed (repeatable)");
    app.add_flag("--dry-run", a.dry_run, "print the plan, change nothing");
    app.add_flag("--force", a.force,
                 "deploy to a folder without boot_out.txt, or past the compatibility check");
    app.add_flag("--json", a.json, "print the result as JSON");
    app.add_flag("--no-build", a.no_build, "deploy build/ as it is, without building src/ first");
}

} // namespace

std::optional<int> build_first(const DeployArgs& a) {
    if (a.no_build)
        return std::nullopt;
    BuildArgs b;
    b.dir = a.dir;
    b.json = a.json;
    auto config = load_config_for(b);
    if (!config)
        return k_exit_failure;
    auto stop = build_before_shipping(b, *config);
    if (stop && *stop != k_exit_ok)
        print_error("the build failed, so nothing was deployed");
    return stop;
}

namespace {

// Test-only fault injection (see the file comment).
deploy::StepHook fault_hook(std::size_t& steps) {
    const char* env = std::getenv("MPYSHIP_FAULT_AFTER_STEPS");
    if (!env)
        return {};
    long long limit = std::atoll(env);
    bool trace = std::getenv("MPYSHIP_FAULT_TRACE") != nullptr;
    return [&steps, limit, trace](std::string_view step, const std::string& path) {
        if (trace)
            fmt::print(stderr, "step {}: {} {}\n", steps, step, path);
        if (limit >= 0 && (long long)steps >= limit)
            ::kill(::getpid(), SIGKILL);
        ++steps;
    };
}

json drive_json(const deploy::DriveDeployReport& r) {
    return {{"path", r.drive.root.string()},
            {"boot_out", r.drive.has_boot_out},
            {"runtime", deploy::runtime_name(r.drive.boot.runtime)},
            {"version", r.drive.boot.version},
            {"board", r.drive.boot.board},
            {"board_id", r.drive.boot.board_id}};
}

json counters_json(const deploy::DriveDeployReport& r) {
    const auto& s = r.sync;
    return {{"written", s.written},
            {"unchanged", r.plan.unchanged},
            {"removed", s.removed},
            {"mkdirs", s.mkdirs},
            {"rmdirs", s.rmdirs},
            {"verified", s.verified},
            {"bytes_written", s.bytes_written},
            {"record_written", s.record_written}};
}

json report_json(const deploy::DriveDeployReport& r) {
    json j{{"ok", r.space.fits()},
            {"dry_run", r.dry_run},
            {"drive", drive_json(r)},
            {"build",
             {{"runtime", deploy::runtime_name(r.format.runtime)}, {"mpy_version", r.format.mpy_version}}},
            {"actions", plan_actions_json(r.plan)},
            {"skipped", plan_skipped_json(r.plan)},
            {"warnings", r.warnings},
            {"counters", counters_json(r)},
            {"space",
             {{"free", r.space.free_bytes},
              {"cluster", r.space.cluster},
              {"peak", r.space.peak_bytes},
              {"missing", r.space.missing}}}};
    set_outcome(j, r.space.fits(), "would not fit: needs " + std::to_string(r.space.missing) + " more bytes");
    return j;
}

std::string drive_line(const deploy::DriveDeployReport& r) {
    const auto& d = r.drive;
    if (!d.has_boot_out)
        return d.has_micropython_marker ? "MicroPython drive" : "no boot_out.txt";
    std::string text = std::string(deploy::runtime_name(d.boot.runtime)) + " " + d.boot.version;
    return d.boot.board.empty() ? text : text + ", " + d.boot.board;
}

void print_summary(const deploy::DriveDeployReport& r) {
    for (const auto& s : r.plan.skipped)
        fmt::print("skip    {}{}\n", s.path.empty() ? "" : s.path + ": ", s.reason);
    for (const auto& w : r.warnings)
        print_warning(w);
    const auto& p = r.plan;
    if (r.dry_run) {
        fmt::print(
            "dry run: would write {} ({} unchanged), remove {}, create {} folder(s), remove {} folder(s); "
            "peak {} of {} bytes free\n",
            p.writes.size(), p.unchanged, p.removal_count(), p.mkdirs.size(), p.rmdirs.size(),
            r.space.peak_bytes, r.space.free_bytes);
        if (!r.space.fits())
            print_error(fmt::format("would not fit: needs {} more bytes", r.space.missing));
        return;
    }
    const auto& s = r.sync;
    fmt::print(
        "deploy: {} written, {} unchanged, {} removed, {} folder(s) created, {} folder(s) removed; {} bytes "
        "written, {} read back and verified\n",
        s.written, p.unchanged, s.removed, s.mkdirs, s.rmdirs, s.bytes_written, s.verified);
}

void print_report(const deploy::DriveDeployReport& r, const DeployArgs& a) {
    if (a.json) {
        fmt::print("{}\n", report_json(r).dump(2));
        return;
    }
    fmt::print("target: {}\n", drive_line(r));
    if (a.dry_run)
        for (const auto& act : deploy::plan_actions(r.plan))
            print_action(act);
    print_summary(r);
}

Result<fs::path> resolve_drive(const DeployArgs& a) {
    if (a.to == "auto")
        return deploy::find_board_drive();
    return fs::path(a.to);
}

std::optional<int> check_target_choice(const DeployArgs& a) {
    if (!a.port.empty() && !a.to.empty()) {
        print_error("give one of --to (USB drive) and --port (serial), not both");
        return k_exit_usage;
    }
    if (a.to.empty() && a.port.empty()) {
        print_error("deploy needs --to PATH (the board's mounted drive, or 'auto') or --port DEV (a serial "
                    "device, or 'auto')");
        return k_exit_usage;
    }
    return std::nullopt;
}

Result<deploy::DriveDeployOptions> make_options(const DeployArgs& a) {
    auto config = project::load_project_config(a.dir);
    auto drive = config ? resolve_drive(a) : std::unexpected(config.error());
    if (!drive)
        return std::unexpected(drive.error());
    deploy::DriveDeployOptions o;
    o.drive = *drive;
    fill_common_options(o, a, *config);
    return o;
}

} // namespace

int cmd_deploy(std::string_view program, std::span<const std::string> args) {
    CLI::App app{
        "Copy the project's build (build/mpy + manifest) onto a board's USB drive (--to) or over its serial "
        "REPL (--port): compares by size and SHA-256, writes only what changed (each file via a temporary "
        "name, checked, then renamed; code.py last), removes shadowing .py/.mpy, checks compatibility first. "
        "Builds src/ first (incrementally) unless --no-build.",
        std::string(program) + " deploy"};
    DeployArgs a;
    add_deploy_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    if (auto rc = check_target_choice(a))
        return *rc;
    if (!a.port.empty())
        return deploy_serial(a);
    auto options = make_options(a);
    if (!options)
        return report_error(options.error(), a.json);
    if (auto rc = build_first(a))
        return *rc;
    std::size_t steps = 0;
    options->hook = fault_hook(steps);
    if (!a.json)
        fmt::print("deploy: {}{}\n", options->drive.string(), a.dry_run ? " (dry run)" : "");
    auto report = deploy::deploy_to_drive(*options);
    if (options->hook)
        fmt::print(stderr, "fault hook: {} steps\n", steps);
    if (!report)
        return report_error(report.error(), a.json);
    print_report(*report, a);
    return report->space.fits() ? k_exit_ok : k_exit_failure;
}

} // namespace mpyship::cli
