// `mpyship package [DIR]`: build (incrementally), then write the reproducible release archives.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
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
    auto report = run_build_command(a, *config, exit_code);
    if (!report || exit_code != k_exit_ok)
        return k_exit_failure;
    auto packaged = release::package_build(*config);
    if (!packaged) {
        fmt::print(stderr, "error: {}\n", packaged.error().to_string());
        return k_exit_failure;
    }
    for (const auto& p : packaged->archives)
        if (!a.json)
            fmt::print("package: {}\n", p.string());
    return k_exit_ok;
}

} // namespace mpyship::cli
