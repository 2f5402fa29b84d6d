// The [firmware] section of mpyship.toml: which MicroPython source (a local folder or a pinned git
// revision), which port/board/variant, what to freeze, which C modules and patches, extra make variables.
// Paths are resolved against the project folder here, so later stages only see absolute paths.
#pragma once

#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::firmware {

// A source tree: a local folder, or a git repository (URL or local path) at a revision.
struct SourceSpec {
    std::filesystem::path local; // set for a local folder
    std::string git;             // set for a git source
    std::string rev;             // required with git
    // git: optional pin of the checked-out tree's content hash (see tree_hash.h); a local folder: its tree
    // hash once the lock check has computed it, so a locked build hashes the tree once
    std::optional<std::string> sha256;
    std::optional<std::string> commit;   // set from mpyship.lock: the commit `rev` must resolve to
    std::optional<std::string> resolved; // without a lock: the commit `rev` points to now (git ls-remote)

    bool is_git() const { return !git.empty(); }
    std::string describe() const { return is_git() ? git + "@" + rev : local.string(); }
};

struct FirmwareConfig {
    std::string config_file;               // mpyship.toml's path, as messages name it
    std::filesystem::path project_root;    // absolute
    std::filesystem::path project_src;     // absolute: the project's src/ (for freeze_project)
    std::filesystem::path project_out;     // absolute: the project's build/ (outputs go to build/firmware)
    std::vector<std::string> entry_points; // never frozen
    std::string port;
    std::optional<std::string> board;
    std::optional<std::string> variant;
    SourceSpec micropython;
    std::optional<SourceSpec> micropython_lib;
    std::optional<std::filesystem::path> manifest_file; // manifest = "path/to/manifest.py"
    std::optional<std::string> manifest_text;           // manifest = """inline text"""
    bool include_port_manifest = true;
    bool freeze_project = false;
    bool submodules = true; // a git source: run the port's `make submodules` in the prepared tree
    std::vector<std::filesystem::path> user_c_modules;
    std::vector<std::filesystem::path> patches;
    std::map<std::string, std::string> make_vars;
    unsigned jobs = 0; // 0: all cores
};

// Reads [firmware] from the project's already parsed mpyship.toml. Fails when there is no [firmware].
Result<FirmwareConfig> firmware_config_from(const project::ProjectConfig& project);
// Reads [firmware] from root/mpyship.toml; errors name file:line:col. Fails when there is no [firmware].
Result<FirmwareConfig> load_firmware_config(const std::filesystem::path& root);
Result<FirmwareConfig> parse_firmware_config(std::string_view text, const std::filesystem::path& root,
                                             const std::string& file_name);

} // namespace mpyship::firmware
