// Discovery of a project's source tree: every file under src/ that the build will compile or copy,
// with the checks a FAT-formatted board needs (names FAT forbids, two paths differing only in case)
// and symlink safety (no link may leave src/, no loops). Paths are '/'-separated and sorted.
#pragma once

#include "mpyship/project/folder_cache.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::project {

enum class SourceAction { compile, copy };

struct SourceFile {
    std::string rel;           // path relative to src, '/'-separated
    std::string abs;           // where to read it when that is not src/<rel> (a file the build adds); else empty
    SourceAction action = SourceAction::copy;
    std::string out_rel; // path of the output relative to build/mpy (x.py -> x.mpy when compiled)
};

// Hidden files and folders, Python caches and files that look like secrets never ship, whatever
// `exclude` says, unless `include` names their exact path. Secrets skipped that way are reported.
inline constexpr std::string_view k_always_excluded[] = {".*", "__pycache__", "*.pyc"};
inline constexpr std::string_view k_secret_patterns[] = {".env",     ".env.*", "*.env",  "*.pem",       "*.key",
                                                         "*.p12",    "*.pfx",  "id_rsa*", "id_ecdsa*", "id_ed25519*",
                                                         "*.secret", "secrets.*"};

struct DiscoveredSources {
    std::vector<SourceFile> files;           // sorted by rel
    std::vector<std::string> skipped_secrets; // paths relative to src, sorted
};

// `folders`: listings remembered from the last build (a build passes its own; null reads every folder).
Result<DiscoveredSources> discover_sources(const ProjectConfig& config, FolderCache* folders = nullptr);

// How a file at `rel` (relative to src) is built: compiled when it is a .py that is not an entry point.
SourceFile classify_source(const ProjectConfig& config, const std::string& rel, const std::string& abs);

// Whether a path relative to src looks like a secret (a private key, an .env file).
bool looks_like_secret(std::string_view rel);

// Why a name cannot live on a FAT drive, or empty when it can.
std::string fat_name_problem(std::string_view name);

} // namespace mpyship::project
