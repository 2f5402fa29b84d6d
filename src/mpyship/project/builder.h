// `mpyship build`: mirrors src/ into build/mpy/ (compiling .py modules, copying entry points and assets),
// removes stale outputs, and writes build/manifest.json. Parallel, incremental (the build cache decides
// what is up to date) and deterministic (results are ordered by path before anything is written).
#pragma once

#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::project {

// A file the build adds to src/'s (the OTA updater, say): built as if it were src/<rel>.
struct ExtraSource {
    std::string rel;
    std::filesystem::path abs;
};

struct BuildOptions {
    unsigned jobs = 0;                  // 0: all cores
    std::vector<ExtraSource> extra_sources;
    bool strict = false;                // fail on any compile error
    std::optional<std::string> version; // --version (overrides the config and git)
    std::function<void(std::size_t done, std::size_t total)> on_progress; // called serially
};

struct BuildCounters {
    std::size_t compiled = 0, up_to_date = 0, copied = 0, failed = 0, removed = 0;
};

struct BuildFailure {
    std::string path;       // relative to the project folder, e.g. src/lib/x.py
    std::string diagnostic; // path:line:col: error: message, the source line and a caret
};

struct BuildReport {
    BuildCounters counters;
    std::vector<BuildFailure> failures; // sorted by path
    std::vector<BuildFailure> notes;    // modules shipped as source instead of .mpy, and why; sorted by path
    std::string version;
    std::size_t manifest_files = 0;
    bool manifest_written = false;
    bool ok = true; // false when nothing compiled but something failed, or --strict and anything failed
    std::string why_failed; // with !ok: "no module compiled" or "N files failed (--strict)"
};

Result<BuildReport> run_build(const ProjectConfig& config, const BuildOptions& options);

// Version for the manifest: --version, else the config's, else `git describe` of the project (cached by
// git_version.h when `newest_edit_ns`, the newest source/config mtime, is known), else "unversioned".
std::string resolve_version(const ProjectConfig& config, const std::optional<std::string>& option,
                            std::int64_t newest_edit_ns = -1);
// Seconds since the epoch for build_timestamp: SOURCE_DATE_EPOCH when set, else now.
Result<std::int64_t> build_epoch();

} // namespace mpyship::project
