// A snapshot of what is on the device: every file with its size (and, once hashed, its SHA-256) and every
// folder, keyed by the FAT-folded path so lookups match the drive's case-insensitive names. The planner
// works on this snapshot only, so the serial deploy can fill one from a device listing later.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>

namespace mpyship::deploy {

struct DeviceFile {
    std::string path; // as spelled on the device, '/'-separated
    std::uint64_t size = 0;
    std::optional<std::string> sha256; // filled only for files the planner must compare
};

struct DeviceTree {
    std::map<std::string, DeviceFile> files; // key: fat_fold(path)
    std::map<std::string, std::string> dirs; // fat_fold(path) -> path as spelled
    std::map<std::string, std::string> links; // symbolic links (never followed or written through), likewise
    std::set<std::string> unexplored;          // folded folders listed but not walked: never removed

    // The first of `path` and its parent folders that is a symbolic link on the device, or nullopt.
    std::optional<std::string> link_on_path(std::string_view path) const;

    const DeviceFile* find_file(std::string_view path) const;
    bool has_dir(std::string_view path) const;
};

// Walks a mounted drive (sizes only, no hashing). Symlinks are recorded, not followed; special files are
// ignored.
Result<DeviceTree> scan_drive(const std::filesystem::path& root);

// Hashes the device files `wanted` selects (by folded key); `hash` reads one file.
Result<void> hash_files(DeviceTree& tree, const std::function<bool(const DeviceFile&)>& wanted,
                        const std::function<Result<std::string>(const std::string& path)>& hash);

// Reads a file of the mounted drive and returns its SHA-256.
Result<std::string> hash_drive_file(const std::filesystem::path& root, const std::string& path);

} // namespace mpyship::deploy
