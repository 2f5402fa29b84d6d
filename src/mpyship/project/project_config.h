// A project's settings: mpyship.toml when present, otherwise defaults (a project that has only a `src/`
// folder builds with no config). Entry points default per target; they stay source on the device.
#pragma once

#include "mpyship/compiler/options.h"
#include "mpyship/util/error.h"

#include "mpyship/mpy/format.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::project {

inline constexpr const char* k_config_file = "mpyship.toml";

struct ConfigDocument; // toml_fields.h

struct ProjectConfig {
    std::filesystem::path root;         // the project folder (where mpyship.toml is or would be)
    std::string name;                   // default: the folder's name
    std::optional<std::string> version; // [project] version
    compiler::Target target = compiler::Target::circuitpython;
    std::filesystem::path src = "src";     // relative to root
    std::filesystem::path out = "build";   // relative to root
    std::vector<std::string> entry_points; // paths relative to src kept as source
    std::vector<std::string> include;      // globs; empty means everything
    std::vector<std::string> exclude;      // globs
    int opt_level = 0;
    // [build] arch, else the default of the [firmware] port and board (build_arch.h); none: modules with
    // inline assembler (or native/viper) code ship as source.
    std::optional<mpy::NativeArch> arch;
    std::optional<std::uint64_t> flash_budget; // [build] flash_budget: bytes a board has for the build (`size`)
    std::vector<std::string> package_formats{"tar.gz", "zip"};
    bool from_file = false;                         // whether mpyship.toml was read
    std::shared_ptr<const ConfigDocument> document; // mpyship.toml as parsed, for the other sections' readers

    std::filesystem::path src_dir() const { return root / src; }
    std::filesystem::path out_dir() const { return root / out; }
};

// A project's default name: its folder's name (the parent's when the path ends in a separator).
std::string project_name_from_folder(const std::filesystem::path& root);
std::vector<std::string> default_entry_points(compiler::Target target);
std::string_view target_name(compiler::Target target);
std::optional<compiler::Target> parse_target_name(std::string_view name);

// Reads root/mpyship.toml if it exists. Errors name the file, line and column.
Result<ProjectConfig> load_project_config(const std::filesystem::path& root);
Result<ProjectConfig> parse_project_config(std::string_view text, const std::filesystem::path& root,
                                           const std::string& file_name);

// The commented starter file `mpyship init` writes.
std::string starter_config(std::string_view name, compiler::Target target);

} // namespace mpyship::project
