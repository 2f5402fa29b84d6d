// `mpyship clean`: removes what mpyship wrote into the project's output folder (build/): the compiled tree,
// the manifest, the build cache, release archives and firmware outputs. Nothing else there is touched,
// and the folder itself goes only when that leaves it empty.
#pragma once

#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace mpyship::project {

// The names mpyship writes directly under the output folder.
inline constexpr const char* k_output_names[] = {"mpy",          "manifest.json", ".mpyship",
                                                 "mpy-files.tar.gz", "mpy-files.zip", "firmware",
                                                 "firmware-build.log"};

struct CleanReport {
    std::vector<std::filesystem::path> removed; // what was (or, with dry_run, would be) removed
    std::uintmax_t files = 0;                   // regular files among them, counted recursively
    std::uintmax_t bytes = 0;
    bool removed_out_dir = false;
};

Result<CleanReport> clean_outputs(const ProjectConfig& config, bool dry_run);

} // namespace mpyship::project
