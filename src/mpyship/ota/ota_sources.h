// What a build of a project with [ota] gains: the updater package as lib/mpyship_ota/*.py (compiled to .mpy
// like any module) and its _config.py written from the section. The files are generated into
// build/.mpyship/ota/ and handed to the builder as extra sources.
#pragma once

#include "mpyship/ota/ota_config.h"
#include "mpyship/project/builder.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <string>

namespace mpyship::ota {

inline constexpr const char* k_package_dir = "lib/mpyship_ota";

std::string config_module(const OtaConfig& config, const project::ProjectConfig& project);

// Writes the generated files (only those whose bytes changed) and returns them as build inputs; an empty
// list when the project has no [ota] section.
Result<std::vector<project::ExtraSource>> ota_build_sources(const project::ProjectConfig& project);

} // namespace mpyship::ota
