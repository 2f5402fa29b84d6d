// mpyship.lock: the resolved identity of the firmware's inputs — each source's commit (git) and tree hash,
// each patch's hash — written by `firmware lock`. A build with a lock refuses a local source or patch that
// changed, and pins git sources to the locked commit and tree hash (checked when the tree is prepared).
#pragma once

#include "mpyship/firmware/firmware_config.h"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mpyship::firmware {

inline constexpr const char* k_lock_file = "mpyship.lock";

struct LockedSource {
    std::string source;                // SourceSpec::describe(): path, or URL@rev
    std::optional<std::string> commit; // git sources only
    std::string tree_sha256;           // tree_hash() of the source as checked out, before patches
};

struct FirmwareLock {
    LockedSource micropython;
    std::optional<LockedSource> micropython_lib;
    std::vector<std::pair<std::string, std::string>> patches; // path relative to the project, sha256
};

// Resolves every source (cloning git ones into a temporary folder under `cache_root`) and hashes the patches.
Result<FirmwareLock> resolve_lock(const FirmwareConfig& config, const std::filesystem::path& cache_root);
std::string lock_text(const FirmwareLock& lock);
// nullopt when the project has no mpyship.lock. Errors name file:line:col.
Result<std::optional<FirmwareLock>> read_lock(const std::filesystem::path& project_root);
Result<FirmwareLock> parse_lock(std::string_view text, const std::string& file_name);
// Checks local sources and patches against the lock now; pins git sources' commit and sha256 for preparation.
Result<void> apply_lock(FirmwareConfig& config, const FirmwareLock& lock);

} // namespace mpyship::firmware
