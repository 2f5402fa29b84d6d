// `mpyship size [DIR] [--to PATH|auto] [--json]`: build (incrementally), then show what the build costs on a
// board: per file the source and output sizes, each .mpy split into header / qstrs / constants / bytecode /
// native, the largest files flagged, strings several modules each carry, and the total against
// `[build] flash_budget` and against a drive's free space (cluster-rounded, crediting the build's files already
// there). Over the budget, or not fitting the drive, is a failure (exit 1), so CI can gate on it.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/deploy/drive_probe.h"
#include "mpyship/deploy/space_check.h"
#include "mpyship/project/build_size.h"

#include <algorithm>
#include <fmt/core.h>
#include <set>

namespace mpyship::cli {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

struct SizeArgs {
    BuildArgs build;
    std::string to;
    unsigned top = 5;
    bool no_build = false;
};

struct DriveFit {
    std::string path;
    std::uint64_t free = 0, cluster = 0, needed = 0, already = 0;
    bool fits() const { return needed <= free + already; }
};

Result<DriveFit> drive_fit(const std::string& to, const project::SizeReport& r) {
    auto root = to == "auto" ? deploy::find_board_drive() : Result<fs::path>(to);
    auto space = root ? deploy::read_drive_space(*root) : std::unexpected(root.error());
    if (!space)
        return std::unexpected(space.error());
    DriveFit fit{root->string(), space->free_bytes, space->cluster, 0, 0};
    for (const auto& f : r.files) {
        fit.needed += deploy::round_to_cluster(f.size, fit.cluster);
        std::error_code ec;
        auto old = fs::file_size(*root / f.path, ec);
        if (!ec)
            fit.already += deploy::round_to_cluster(old, fit.cluster);
    }
    return fit;
}

std::set<std::string> largest(const project::SizeReport& r, unsigned top) {
    std::vector<const project::FileSize*> by_size;
    for (const auto& f : r.files)
        by_size.push_back(&f);
    std::stable_sort(by_size.begin(), by_size.end(), [](auto* a, auto* b) { return a->size > b->size; });
    std::set<std::string> out;
    // Flagging every file of a small build says nothing: then only the largest one.
    std::size_t n = by_size.size() > top ? top : std::min<std::size_t>(1, by_size.size());
    for (std::size_t i = 0; i < n; ++i)
        out.insert(by_size[i]->path);
    return out;
}

json sections_json(const project::MpySections& s) {
    return {{"header", s.header},
            {"qstrs", s.qstrs},
            {"constants", s.constants},
            {"bytecode", s.bytecode},
            {"native", s.native}};
}

json report_json(const project::SizeReport& r, const std::set<std::string>& top,
                 const std::optional<std::uint64_t>& budget, const std::optional<DriveFit>& drive) {
    json files = json::array();
    for (const auto& f : r.files) {
        json j = {{"path", f.path},
                  {"source", f.source},
                  {"source_size", f.source_size ? json(*f.source_size) : json(nullptr)},
                  {"size", f.size},
                  {"sections", f.sections ? sections_json(*f.sections) : json(nullptr)},
                  {"largest", top.contains(f.path)}};
        files.push_back(j);
    }
    json shared = json::array();
    for (const auto& s : r.shared_strings)
        shared.push_back({{"text", s.text}, {"files", s.files}, {"extra_bytes", s.extra_bytes}});
    json j = {{"files", files},
              {"totals", {{"source", r.source_total}, {"size", r.size_total}, {"sections", sections_json(r.sections_total)}}},
              {"budget", budget ? json{{"bytes", *budget}, {"used", r.size_total}, {"fits", r.size_total <= *budget}}
                                : json(nullptr)},
              {"drive", drive ? json{{"path", drive->path},
                                     {"free", drive->free},
                                     {"cluster", drive->cluster},
                                     {"needed", drive->needed},
                                     {"already_there", drive->already},
                                     {"fits", drive->fits()}}
                              : json(nullptr)},
              {"shared_strings", shared}};
    return j;
}

std::string cell(const std::optional<std::uint64_t>& v) {
    return v ? std::to_string(*v) : "-";
}

void print_table(const project::SizeReport& r, const std::set<std::string>& top) {
    fmt::print("{:<32} {:>8} {:>8} {:>7} {:>7} {:>7} {:>8} {:>7}\n", "file", "source", "build", "header", "qstrs",
               "consts", "bytecode", "native");
    for (const auto& f : r.files) {
        const auto& s = f.sections;
        auto part = [&](std::uint64_t project::MpySections::*field) {
            return s ? std::to_string((*s).*field) : std::string("-");
        };
        fmt::print("{:<32} {:>8} {:>8} {:>7} {:>7} {:>7} {:>8} {:>7}{}\n", f.path, cell(f.source_size), f.size,
                   part(&project::MpySections::header), part(&project::MpySections::qstrs),
                   part(&project::MpySections::constants), part(&project::MpySections::bytecode),
                   part(&project::MpySections::native), top.contains(f.path) ? "  <- largest" : "");
    }
    const auto& t = r.sections_total;
    fmt::print("{:<32} {:>8} {:>8} {:>7} {:>7} {:>7} {:>8} {:>7}\n", "total", r.source_total, r.size_total,
               t.header, t.qstrs, t.constants, t.bytecode, t.native);
}

void print_shared(const project::SizeReport& r) {
    if (r.shared_strings.empty())
        return;
    fmt::print("strings stored by more than one module (each .mpy carries its own copy):\n");
    for (std::size_t i = 0; i < r.shared_strings.size() && i < 10; ++i) {
        const auto& s = r.shared_strings[i];
        std::string files;
        for (const auto& f : s.files)
            files += (files.empty() ? "" : ", ") + f;
        fmt::print("  '{}': {} files ({}), {} extra bytes\n", s.text, s.files.size(), files, s.extra_bytes);
    }
    if (r.shared_strings.size() > 10)
        fmt::print("  ... and {} more (--json lists them all)\n", r.shared_strings.size() - 10);
}

// Prints the budget and drive lines; false when either does not fit.
bool print_fit(const project::SizeReport& r, const std::optional<std::uint64_t>& budget,
               const std::optional<DriveFit>& drive) {
    bool ok = true;
    if (budget) {
        bool fits = r.size_total <= *budget;
        ok = ok && fits;
        fmt::print("budget: {} of {} bytes ([build] flash_budget): {}\n", r.size_total, *budget,
                   fits ? fmt::format("{} left", *budget - r.size_total)
                        : fmt::format("{} bytes over", r.size_total - *budget));
    }
    if (drive) {
        ok = ok && drive->fits();
        fmt::print("drive: {} needs {} bytes in {}-byte clusters; {} free, {} held by files the build replaces: "
                   "{}\n",
                   drive->path, drive->needed, drive->cluster, drive->free, drive->already,
                   drive->fits() ? "fits" : "does not fit");
    }
    return ok;
}

int run_size(const SizeArgs& a) {
    auto config = load_config_for(a.build);
    if (!config)
        return k_exit_failure;
    if (!a.no_build)
        if (auto stop = build_before_shipping(a.build, *config))
            return *stop;
    auto report = project::measure_build(*config);
    if (!report)
        return report_error(report.error(), a.build.json);
    std::optional<DriveFit> drive;
    if (!a.to.empty()) {
        auto fit = drive_fit(a.to, *report);
        if (!fit)
            return report_error(fit.error(), a.build.json);
        drive = *fit;
    }
    auto top = largest(*report, a.top);
    bool fits = (!config->flash_budget || report->size_total <= *config->flash_budget) && (!drive || drive->fits());
    if (a.build.json) {
        json j = report_json(*report, top, config->flash_budget, drive);
        set_outcome(j, fits, "the build does not fit");
        fmt::print("{}\n", j.dump(2));
        return fits ? k_exit_ok : k_exit_failure;
    }
    print_table(*report, top);
    print_shared(*report);
    print_fit(*report, config->flash_budget, drive);
    if (!fits)
        fmt::print(stderr, "error: the build does not fit\n");
    return fits ? k_exit_ok : k_exit_failure;
}

} // namespace

int cmd_size(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Build, then show what the build costs on a board: per file the source and .mpy sizes, each .mpy "
                 "split into header, qstr table, constants, bytecode and native code; the largest files; strings "
                 "several modules each store; the total against [build] flash_budget and a drive's free space.",
                 std::string(program) + " size"};
    SizeArgs a;
    add_build_options(app, a.build);
    app.add_option("--to", a.to, "compare with this drive's free space ('auto': the one board drive)");
    app.add_option("--top", a.top, "how many of the largest files to flag (default 5)");
    app.add_flag("--no-build", a.no_build, "measure build/ as it is");
    if (auto rc = parse_args(app, args))
        return *rc;
    return run_size(a);
}

} // namespace mpyship::cli
