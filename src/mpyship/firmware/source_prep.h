// Prepares the pinned, patched MicroPython tree in the cache: CACHE/firmware/KEY/ holds tree/ (the source,
// copied from a folder, or cloned at a revision with the port's `make submodules` run in it;
// micropython_lib replaces tree/lib/micropython-lib),
// c_modules/ (links to the user's C modules), bin/mpy-cross (a link to mpyship) and the `prepared` marker.
// It is built in KEY.tmp-PID and renamed into place, so a half-prepared tree is never used. Also what the
// tree lacks: git submodules left as empty folders by a plain clone (or a copy of one).
#pragma once

#include "mpyship/firmware/firmware_config.h"
#include "mpyship/firmware/prepared_tree.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::firmware {

inline constexpr const char* k_prepared_marker = "prepared";

std::filesystem::path cache_dir_for(const std::filesystem::path& cache_root, const std::string& key);

Result<PreparedTree> prepare_source(const FirmwareConfig& config, const std::string& key,
                                    const std::filesystem::path& cache_root);

// (Re)points bin/mpy-cross at the given mpyship binary: run under that name, mpyship is mpy-cross.
Result<void> link_mpy_cross(const PreparedTree& prepared, const std::filesystem::path& mpyship_exe);

// The ports' frozen-module build always needs lib/micropython-lib (make checks its README.md) unless
// make_vars points MPY_LIB_DIR elsewhere; the error says how to get it.
Result<void> check_micropython_lib(const FirmwareConfig& config, const std::filesystem::path& tree);

// The `path = ...` entries of the tree's .gitmodules whose folder is missing or empty, in file order. Which
// of them a build needs depends on the port and its features (mbedtls, berkeley-db, libffi, ...): they
// show only as a failed compile, so a failed build lists them.
std::vector<std::string> empty_submodules(const std::filesystem::path& tree);

} // namespace mpyship::firmware
