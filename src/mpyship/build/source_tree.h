// Discovery of a project's source tree: every file under src/ that the build will compile or copy,
// with the checks a FAT-formatted board needs (names FAT forbids, two paths differing only in case)
// and symlink safety (no link may leave src/, no loops). Paths are '/'-separated and sorted.
#pragma once

#include "mpyship/build/project_config.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::build {

enum class SourceAction { compile, copy };

struct SourceFile {
    std::string rel;           // path relative to src, '/'-separated
    std::filesystem::path abs; // where to read it
    SourceAction action = SourceAction::copy;
    std::string out_rel;       // path of the output relative to build/mpy (x.py -> x.mpy when compiled)
};

Result<std::vector<SourceFile>> discover_sources(const ProjectConfig& config);

// Why a name cannot live on a FAT drive, or empty when it can.
std::string fat_name_problem(std::string_view name);

} // namespace mpyship::build
