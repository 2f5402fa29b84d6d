// `mpyship clean [DIR]`: remove the build outputs (build/mpy, the manifest, the build cache, archives,
// firmware outputs), so the next build starts from nothing.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/project/clean.h"

#include <fmt/core.h>

namespace mpyship::cli {

int cmd_clean(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Remove what mpyship wrote into the output folder: build/mpy/, build/manifest.json, the build "
                 "cache, release archives and firmware outputs. Other files there are left alone.",
                 std::string(program) + " clean"};
    std::string dir = ".";
    bool dry_run = false;
    app.add_option("dir", dir, "project folder (default: the current folder)");
    app.add_flag("--dry-run", dry_run, "list what would be removed, remove nothing");
    if (auto rc = parse_args(app, args))
        return *rc;
    auto config = project::load_project_config(dir);
    auto report = config ? project::clean_outputs(*config, dry_run)
                         : Result<project::CleanReport>(std::unexpected(config.error()));
    if (!report) {
        print_error(report.error().to_string());
        return k_exit_failure;
    }
    for (const auto& p : report->removed)
        fmt::print("{} {}\n", dry_run ? "would remove" : "removed", p.lexically_normal().string());
    fmt::print("clean: {} {} files ({} bytes){}\n", dry_run ? "would remove" : "removed", report->files,
               report->bytes, report->removed.empty() ? ", nothing to do" : "");
    return k_exit_ok;
}

} // namespace mpyship::cli
