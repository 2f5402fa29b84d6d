// `mpyship build [DIR]`: compile the project's src/ into build/mpy/ and write build/manifest.json.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/cli/progress.h"
#include "mpyship/ota/ota_sources.h"
#include "mpyship/project/builder.h"
#include "mpyship/project/manifest.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace mpyship::cli {

namespace {

} // namespace

nlohmann::ordered_json build_report_json(const project::BuildReport& r, const project::ProjectConfig& c) {
    nlohmann::ordered_json failures = nlohmann::ordered_json::array();
    for (const auto& f : r.failures)
        failures.push_back({{"path", f.path}, {"diagnostic", f.diagnostic}});
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const auto& n : r.notes)
        notes.push_back({{"path", n.path}, {"note", n.diagnostic}});
    nlohmann::ordered_json j{{"ok", r.ok},
            {"target", project::target_name(c.target)},
            {"version", r.version},
            {"counters",
             {{"compiled", r.counters.compiled},
              {"up_to_date", r.counters.up_to_date},
              {"copied", r.counters.copied},
              {"failed", r.counters.failed},
              {"removed", r.counters.removed}}},
            {"failures", failures},
            {"notes", notes},
            {"manifest", (c.out_dir() / project::k_manifest_file).string()},
            {"manifest_files", r.manifest_files},
            {"manifest_written", r.manifest_written}};
    set_outcome(j, r.ok, "build failed: " + r.why_failed);
    return j;
}

namespace {

void print_report(const project::BuildReport& r, const project::ProjectConfig& c) {
    for (const auto& f : r.failures)
        print_diagnostics(stderr, f.diagnostic);
    const auto& n = r.counters;
    fmt::print("build: {} compiled, {} up to date, {} copied, {} failed, {} removed\n", n.compiled,
               n.up_to_date, n.copied, n.failed, n.removed);
    for (const auto& f : r.failures)
        fmt::print("failed: {}\n", f.path);
    for (const auto& note : r.notes)
        print_note(stdout, note.path + ": " + note.diagnostic);
    fmt::print("manifest: {} ({} files, version {}{})\n",
               (c.out_dir() / project::k_manifest_file).lexically_normal().string(), r.manifest_files,
               r.version, r.manifest_written ? "" : ", unchanged");
    if (!r.ok)
        fmt::print(stderr, "build failed: {}\n", r.why_failed);
}

} // namespace

// Shared by build and package: options common to both.
void add_build_options(CLI::App& app, BuildArgs& a) {
    app.add_option("dir", a.dir, "project folder (default: the current folder)");
    app.add_option("-j,--jobs", a.jobs, "parallel jobs (default: all cores)")->check(CLI::Range(1u, 1024u));
    app.add_flag("--strict", a.strict, "fail when any file fails to compile");
    app.add_option("--version", a.version, "version for the manifest (default: config, then git describe)");
    app.add_option("--target", a.target, "override the config's target")
        ->check(CLI::IsMember({"circuitpython", "micropython"}));
    app.add_flag("--json", a.json, "print the result as JSON");
}

std::optional<project::ProjectConfig> load_config_for(const BuildArgs& a) {
    auto config = project::load_project_config(a.dir);
    if (!config) {
        report_error(config.error(), a.json);
        return std::nullopt;
    }
    if (!a.target.empty())
        config->target = *project::parse_target_name(a.target);
    return *config;
}

std::optional<project::BuildReport> run_build_command(const BuildArgs& a,
                                                      const project::ProjectConfig& config, int& exit_code,
                                                      bool print_json) {
    project::BuildOptions options;
    auto extra = ota::ota_build_sources(config);
    if (!extra) {
        exit_code = report_error(extra.error(), a.json);
        return std::nullopt;
    }
    options.extra_sources = std::move(*extra);
    options.jobs = a.jobs;
    options.strict = a.strict;
    if (!a.version.empty())
        options.version = a.version;
    ProgressBar bar("building", !a.json);
    options.on_progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
    auto report = project::run_build(config, options);
    bar.finish();
    if (!report) {
        exit_code = report_error(report.error(), a.json);
        return std::nullopt;
    }
    if (!a.json)
        print_report(*report, config);
    else if (print_json) // else the caller prints one object for the whole command
        fmt::print("{}\n", build_report_json(*report, config).dump(2));
    exit_code = report->ok ? k_exit_ok : k_exit_failure;
    return *report;
}

std::optional<int> build_before_shipping(const BuildArgs& a, const project::ProjectConfig& config) {
    int exit_code = k_exit_ok;
    auto report = run_build_command(a, config, exit_code, false);
    if (!report)
        return k_exit_failure;
    if (exit_code == k_exit_ok)
        return std::nullopt;
    if (a.json)
        fmt::print("{}\n", build_report_json(*report, config).dump(2));
    return k_exit_failure;
}

int cmd_build(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Compile the project's src/ into build/mpy/ (entry points and assets copied as they are), "
                 "remove stale outputs and write build/manifest.json. Incremental and parallel.",
                 std::string(program) + " build"};
    BuildArgs a;
    add_build_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    auto config = load_config_for(a);
    if (!config)
        return k_exit_failure;
    int exit_code = k_exit_ok;
    run_build_command(a, *config, exit_code);
    return exit_code;
}

} // namespace mpyship::cli
