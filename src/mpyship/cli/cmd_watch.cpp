// `mpyship watch [DIR] --to PATH|auto | --port DEV|auto`: build and redeploy whenever a file under src/
// changes (inotify, debounced: a burst of saves is one cycle). Each cycle prints one line — what changed, what
// the build and the deploy did, how long it took; a compile error is shown with its caret and nothing is
// deployed until it is fixed. The first cycle runs at start, so the board matches src/ before the first save.
// Deleted sources leave the board too (the deploy removes what an earlier deploy wrote: --delete).
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/deploy/deploy_drive.h"
#include "mpyship/deploy/deploy_serial.h"
#include "mpyship/ota/ota_sources.h"
#include "mpyship/project/builder.h"
#include "mpyship/serial/serial_ports.h"
#include "mpyship/util/dir_watch.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct WatchArgs {
    std::string dir = ".";
    std::string to, port;
    unsigned baud = 115200;
    unsigned cycles = 0; // stop after this many cycles after the first (0: never)
    unsigned quiet_ms = 200;
    bool force = false;
};

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int) {
    g_stop = 1;
}

void catch_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

std::string changes_text(const std::map<std::string, ChangeKind>& changes) {
    static constexpr std::string_view k_words[] = {"added", "changed", "removed"};
    std::string out;
    std::size_t shown = 0;
    for (const auto& [path, kind] : changes) {
        if (shown++ == 4) {
            out += fmt::format(" and {} more", changes.size() - 4);
            break;
        }
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k_words[int(kind)], path);
    }
    return out;
}

struct DeployCount {
    std::size_t written = 0, removed = 0, unchanged = 0;
};

class Watcher {
  public:
    Watcher(const WatchArgs& a, project::ProjectConfig config) : m_a(a), m_config(std::move(config)) {}

    // One build + deploy; prints its line. Failures are printed and the watch goes on.
    void cycle(const std::string& what) {
        auto start = Clock::now();
        std::string line = "watch: " + what + " -> ";
        auto report = build();
        if (!report) {
            print_line(line + "error: " + report.error().to_string(), start);
            return;
        }
        const auto& c = report->counters;
        line += fmt::format("build {} compiled, {} copied, {} removed", c.compiled, c.copied, c.removed);
        if (!report->failures.empty() || !report->ok) {
            // The diagnostics first: whoever reads the cycle line finds them already written.
            for (const auto& f : report->failures)
                fmt::print(stderr, "{}\n", f.diagnostic);
            std::fflush(stderr);
            print_line(line + fmt::format("; {} failed, nothing deployed", report->failures.size()), start);
            return;
        }
        auto deployed = deploy();
        if (!deployed) {
            print_line(line + "; deploy failed: " + deployed.error().to_string(), start);
            return;
        }
        print_line(line + fmt::format("; deploy {} written, {} removed, {} unchanged", deployed->written,
                                      deployed->removed, deployed->unchanged),
                   start);
    }

  private:
    void print_line(const std::string& text, Clock::time_point start) {
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        fmt::print("{} ({:.2f} s)\n", text, s);
        std::fflush(stdout);
    }

    Result<project::BuildReport> build() {
        project::BuildOptions options;
        auto extra = ota::ota_build_sources(m_config);
        if (!extra)
            return std::unexpected(extra.error());
        options.extra_sources = std::move(*extra);
        return project::run_build(m_config, options);
    }

    deploy::PlanOptions plan() const {
        return {deploy::DeleteMode::recorded, {}, m_config.entry_points};
    }

    Result<DeployCount> deploy() {
        if (!m_a.to.empty()) {
            deploy::DriveDeployOptions o;
            o.drive = m_a.to;
            o.build_dir = m_config.out_dir();
            o.plan = plan();
            o.force = m_a.force;
            o.generator = version_text();
            auto r = deploy::deploy_to_drive(o);
            if (!r)
                return std::unexpected(r.error());
            return DeployCount{r->sync.written, r->sync.removed, r->plan.unchanged};
        }
        deploy::SerialDeployOptions o;
        o.port = m_a.port;
        o.baud = m_a.baud;
        o.build_dir = m_config.out_dir();
        o.plan = plan();
        o.force = m_a.force;
        o.generator = version_text();
        auto r = deploy::deploy_over_serial(o);
        if (!r)
            return std::unexpected(r.error());
        return DeployCount{r->sync.written, r->sync.removed, r->plan.unchanged};
    }

    const WatchArgs& m_a;
    project::ProjectConfig m_config;
};

Result<void> resolve_target(WatchArgs& a) {
    if (a.to.empty() == a.port.empty())
        return fail("say where the board is: --to PATH|auto (its USB drive) or --port DEV|auto (serial), not both");
    if (a.to == "auto") {
        auto drive = deploy::find_board_drive();
        if (!drive)
            return std::unexpected(drive.error());
        a.to = drive->string();
    }
    if (a.port == "auto") {
        auto port = serial::find_board_port();
        if (!port)
            return std::unexpected(port.error());
        a.port = *port;
    }
    return {};
}

int run_watch(WatchArgs& a) {
    if (auto r = resolve_target(a); !r)
        return report_error(r.error(), false);
    auto config = project::load_project_config(a.dir);
    if (!config)
        return report_error(config.error(), false);
    auto watch = DirWatch::open(config->src_dir());
    if (!watch)
        return report_error(watch.error(), false);
    catch_stop_signals();
    Watcher watcher(a, *config);
    watcher.cycle("start");
    fmt::print("watch: watching {} (Ctrl-C stops)\n", config->src_dir().string());
    std::fflush(stdout);
    for (unsigned n = 0; a.cycles == 0 || n < a.cycles; ++n) {
        auto changes = watch->next(std::chrono::milliseconds(a.quiet_ms), [] { return g_stop != 0; });
        if (!changes)
            return report_error(changes.error(), false);
        if (changes->empty())
            break; // stopped
        watcher.cycle(changes_text(*changes));
    }
    return k_exit_ok;
}

} // namespace

int cmd_watch(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Build and redeploy whenever a file under src/ changes: one line per cycle; a compile error is "
                 "shown and nothing is deployed until it is fixed. Ctrl-C stops.",
                 std::string(program) + " watch"};
    WatchArgs a;
    app.add_option("dir", a.dir, "project folder (default: the current folder)");
    app.add_option("--to", a.to, "the board's mounted USB drive, or 'auto'");
    app.add_option("--port", a.port, "the board's serial device, or 'auto'");
    app.add_option("--baud", a.baud, "serial baud rate (default 115200)");
    app.add_option("--quiet-ms", a.quiet_ms, "how long src/ must be quiet before a cycle starts (default 200)");
    app.add_option("--cycles", a.cycles, "stop after this many cycles after the first (default: never)");
    app.add_flag("--force", a.force, "deploy to a folder without boot_out.txt, or past the compatibility check");
    if (auto rc = parse_args(app, args))
        return *rc;
    return run_watch(a);
}

} // namespace mpyship::cli
