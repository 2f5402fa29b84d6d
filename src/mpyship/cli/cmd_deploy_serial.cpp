// `mpyship deploy [DIR] --port DEV|auto [--baud N] [--reset]`: the serial deploy's command line — resolve
// the port, run deploy_over_serial with a progress bar (bytes and bytes/s), print the actions as the device
// carries them out, then a summary with the link's numbers, or the result as JSON.
#include "mpyship/cli/deploy_args.h"
#include "mpyship/cli/progress.h"
#include "mpyship/deploy/deploy_serial.h"
#include "mpyship/project/project_config.h"
#include "mpyship/serial/serial_port.h"
#include "mpyship/serial/serial_ports.h"

#include <chrono>

namespace mpyship::cli {
namespace {

using json = nlohmann::ordered_json;

std::string rate_text(double bytes, double seconds) {
    double rate = seconds > 0 ? bytes / seconds : 0;
    return rate >= 1e6 ? fmt::format("{:.1f} MB/s", rate / 1e6) : fmt::format("{:.1f} KB/s", rate / 1e3);
}

std::string_view paste_mode_name(serial::PasteMode mode) {
    switch (mode) {
    case serial::PasteMode::raw_paste:
        return "raw-paste";
    case serial::PasteMode::plain_raw:
        return "raw";
    case serial::PasteMode::unknown:
        break;
    }
    return "unknown";
}

json device_json(const deploy::SerialDeployReport& r) {
    const auto& d = r.device;
    json j = {{"name", d.name},
              {"version", d.version},
              {"machine", d.machine},
              {"cwd", d.cwd},
              {"small_int_bits", d.small_int_bits},
              {"sha256", d.has_sha256},
              {"deflate", d.has_deflate}};
    if (d.mpy) {
        auto abi = deploy::decode_mpy_abi(*d.mpy);
        j["mpy"] = {{"value", *d.mpy},
                    {"version", abi.version},
                    {"sub_version", abi.sub_version},
                    {"arch", abi.arch}};
    }
    return j;
}

json counters_json(const deploy::SerialDeployReport& r) {
    const auto& s = r.sync;
    return {{"written", s.written},
            {"unchanged", r.plan.unchanged},
            {"removed", s.removed},
            {"mkdirs", s.mkdirs},
            {"rmdirs", s.rmdirs},
            {"bytes_written", s.bytes_written},
            {"record_written", s.record_written},
            {"content_checked", r.content_checked}};
}

json link_json(const deploy::SerialDeployReport& r) {
    const auto& t = r.sync.transfer;
    return {{"mode", paste_mode_name(r.paste_mode)},
            {"bytes_sent", r.link_bytes},
            {"file_bytes", t.file_bytes},
            {"payload_bytes", t.payload_bytes},
            {"commands", t.commands},
            {"compressed_files", t.compressed_files},
            {"seconds", r.seconds}};
}

json report_json(const deploy::SerialDeployReport& r, const std::string& port) {
    return {{"ok", true},
            {"dry_run", r.dry_run},
            {"port", port},
            {"device", device_json(r)},
            {"build",
             {{"runtime", deploy::runtime_name(r.format.runtime)}, {"mpy_version", r.format.mpy_version}}},
            {"actions", plan_actions_json(r.plan)},
            {"skipped", plan_skipped_json(r.plan)},
            {"warnings", r.warnings},
            {"counters", counters_json(r)},
            {"link", link_json(r)}};
}

void print_summary(const deploy::SerialDeployReport& r) {
    for (const auto& s : r.plan.skipped)
        fmt::print("skip    {}{}\n", s.path.empty() ? "" : s.path + ": ", s.reason);
    for (const auto& w : r.warnings)
        print_warning(w);
    const auto& p = r.plan;
    if (r.dry_run) {
        fmt::print(
            "dry run: would write {} ({} unchanged), remove {}, create {} folder(s), remove {} folder(s)\n",
            p.writes.size(), p.unchanged, p.removal_count(), p.mkdirs.size(), p.rmdirs.size());
        return;
    }
    const auto& s = r.sync;
    fmt::print(
        "deploy: {} written, {} unchanged, {} removed, {} folder(s) created, {} folder(s) removed; {} bytes "
        "written{}\n",
        s.written, p.unchanged, s.removed, s.mkdirs, s.rmdirs, s.bytes_written,
        r.content_checked ? ", each checked by SHA-256 on the device" : ", sizes checked only");
    fmt::print("link: {} bytes sent in {:.2f} s ({}, {} mode)\n", r.link_bytes, r.seconds,
               rate_text(double(r.link_bytes), r.seconds), paste_mode_name(r.paste_mode));
}

Result<std::string> resolve_port(const DeployArgs& a) {
    if (a.port == "auto")
        return serial::find_board_port();
    return a.port;
}

Result<deploy::SerialDeployOptions> make_options(const DeployArgs& a) {
    if (!serial::is_supported_baud(a.baud))
        return fail("unsupported baud rate " + std::to_string(a.baud));
    auto config = project::load_project_config(a.dir);
    auto port = config ? resolve_port(a) : std::unexpected(config.error());
    if (!port)
        return std::unexpected(port.error());
    deploy::SerialDeployOptions o;
    o.port = *port;
    o.baud = a.baud;
    o.reset = a.reset;
    fill_common_options(o, a, *config);
    return o;
}

} // namespace

int deploy_serial(const DeployArgs& a) {
    auto options = make_options(a);
    if (!options)
        return report_error(options.error(), a.json);
    if (auto rc = build_first(a))
        return *rc;
    if (!a.json)
        fmt::print("deploy: {} at {} baud{}\n", options->port, a.baud, a.dry_run ? " (dry run)" : "");
    ProgressBar bar("deploy", !a.json);
    auto start = std::chrono::steady_clock::now();
    options->on_progress = [&](std::uint64_t done, std::uint64_t total) {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        bar.update(done, total, " bytes, " + rate_text(double(done), s));
    };
    auto action = options->on_action;
    if (action)
        options->on_action = [&](const deploy::Action& act) {
            bar.finish();
            action(act);
        };
    auto report = deploy::deploy_over_serial(*options);
    bar.finish();
    if (!report)
        return report_error(report.error(), a.json);
    if (a.json) {
        fmt::print("{}\n", report_json(*report, options->port).dump(2));
        return k_exit_ok;
    }
    fmt::print("target: {}\n", report->device.describe());
    if (a.dry_run)
        for (const auto& act : deploy::plan_actions(report->plan))
            print_action(act);
    print_summary(*report);
    return k_exit_ok;
}

} // namespace mpyship::cli
