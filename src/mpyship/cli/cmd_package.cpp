// `mpyship package [DIR]`: build (incrementally), then write the reproducible release archives.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/release/package.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace mpyship::cli {

int cmd_package(std::string_view program, std::span<const std::string> args) {
    CLI::App app{
        "Build the project, then write build/mpy-files.tar.gz and build/mpy-files.zip (manifest.json and "
        "mpy/...). Reproducible: sorted entries, uid/gid 0, fixed modes, mtime from SOURCE_DATE_EPOCH "
        "(else the newest source file's).",
        std::string(program) + " package"};
    BuildArgs a;
    add_build_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    auto config = load_config_for(a);
    if (!config)
        return k_exit_failure;
    int exit_code = k_exit_ok;
    auto report = run_build_command(a, *config, exit_code, false);
    if (!report)
        return k_exit_failure;
    nlohmann::ordered_json j = build_report_json(*report, *config);
    auto packaged = exit_code == k_exit_ok ? release::package_build(*config)
                                           : Result<release::PackageResult>(std::unexpected(Error{}));
    if (exit_code == k_exit_ok && !packaged) {
        set_outcome(j, false, packaged.error().to_string());
        print_error(packaged.error().to_string());
        exit_code = k_exit_failure;
    }
    if (packaged) {
        nlohmann::ordered_json archives = nlohmann::ordered_json::array();
        for (const auto& p : packaged->archives) {
            archives.push_back(p.string());
            if (!a.json)
                fmt::print("package: {}\n", p.string());
        }
        j["archives"] = archives;
    }
    if (a.json)
        fmt::print("{}\n", j.dump(2));
    return exit_code;
}

} // namespace mpyship::cli
