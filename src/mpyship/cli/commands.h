// Handlers of the individual commands, one file each (cmd_<name>.cpp).
#pragma once

#include "mpyship/project/builder.h"
#include "mpyship/project/project_config.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mpyship::cli {

int cmd_inspect(std::string_view program, std::span<const std::string> args);
int cmd_build(std::string_view program, std::span<const std::string> args);
int cmd_package(std::string_view program, std::span<const std::string> args);
int cmd_verify(std::string_view program, std::span<const std::string> args);
int cmd_init(std::string_view program, std::span<const std::string> args);
int cmd_compile(std::string_view program, std::span<const std::string> args);
int cmd_deploy(std::string_view program, std::span<const std::string> args);
int cmd_firmware(std::string_view program, std::span<const std::string> args);
int cmd_flash(std::string_view program, std::span<const std::string> args);
int cmd_clean(std::string_view program, std::span<const std::string> args);
int cmd_keygen(std::string_view program, std::span<const std::string> args);
int cmd_publish(std::string_view program, std::span<const std::string> args);
int cmd_serve(std::string_view program, std::span<const std::string> args);
int cmd_version(std::string_view program, std::span<const std::string> args);
int cmd_completion(std::string_view program, std::span<const std::string> args);
int cmd_man(std::string_view program, std::span<const std::string> args);
int cmd_device(std::string_view program, std::span<const std::string> args);
int cmd_size(std::string_view program, std::span<const std::string> args);
int cmd_watch(std::string_view program, std::span<const std::string> args);
// The drop-in mpy-cross mode (argv[0] is shown in usage text).
int run_as_mpy_cross(std::string_view argv0, std::span<const std::string> args, compiler::Target target);

// Options shared by build and package.
struct BuildArgs {
    std::string dir = ".";
    unsigned jobs = 0;
    bool strict = false;
    std::string version;
    std::string target;
    bool json = false;
};
void add_build_options(CLI::App& app, BuildArgs& args);
// The project's config with --target applied; prints the error and returns nullopt when it cannot be read.
std::optional<project::ProjectConfig> load_config_for(const BuildArgs& args);
// Runs the build and prints its report (with --json, only when `print_json`); nullopt on a fatal error, whose
// JSON is printed regardless. Sets exit_code.
std::optional<project::BuildReport> run_build_command(const BuildArgs& args,
                                                      const project::ProjectConfig& config, int& exit_code,
                                                      bool print_json = true);
// The build a shipping command (deploy, publish) runs first: its report when it is printed as text; on a
// failed build, its JSON (with --json) and the exit code to stop with. nullopt: go on.
std::optional<int> build_before_shipping(const BuildArgs& args, const project::ProjectConfig& config);
// The build report as --json prints it.
nlohmann::ordered_json build_report_json(const project::BuildReport& report, const project::ProjectConfig& config);

} // namespace mpyship::cli
