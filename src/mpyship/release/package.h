// `mpyship package`: the release archives build/mpy-files.tar.gz and build/mpy-files.zip, holding
// manifest.json and mpy/..., made from a finished build (checked against its manifest first).
#pragma once

#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::release {

struct PackageResult {
    std::vector<std::filesystem::path> archives;
    std::int64_t mtime = 0;
};

// mtime: SOURCE_DATE_EPOCH when set, else the newest modification time among the project's sources.
Result<PackageResult> package_build(const project::ProjectConfig& config);

} // namespace mpyship::release
