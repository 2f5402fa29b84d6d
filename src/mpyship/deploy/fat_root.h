// FAT12 and FAT16 keep the root folder in a fixed table (512 entries on the volumes FatFs and mkfs.fat make
// for boards), while every other folder grows. A long name takes one entry per 13 characters plus its
// short-name entry, so 200 long names fill a root that has plenty of bytes free, and the deploy would fail
// halfway with "Operation not permitted". The check counts the root's entries before the first write.
#pragma once

#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/drive_tree.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

namespace mpyship::deploy {

// Pure: the root entry count of a FAT12/16 boot sector, nullopt for FAT32 or anything else.
std::optional<std::uint32_t> fat_root_entries_from_boot_sector(std::span<const std::uint8_t> sector);

// The root folder's fixed size when `root` is the mount point of a FAT12/16 volume: read from the volume's
// boot sector when its source can be read, else (a FAT volume of at most 32 MiB, which FatFs and mkfs.fat
// format as FAT12/16) the usual 512. nullopt when the root can grow or the file system is not FAT.
std::optional<std::uint32_t> fat_root_capacity(const std::filesystem::path& root);

// Directory entries a name takes: 1 for an upper-case 8.3 name, else 1 + one per 13 UTF-16 units.
std::uint32_t fat_entry_slots(std::string_view name);

struct RootEntries {
    std::uint32_t capacity = 0;
    std::uint32_t in_use = 0; // now (the volume label counted)
    std::uint32_t peak = 0;   // at the fullest moment of the deploy
    bool fits() const { return peak <= capacity; }
};

// Replays the plan's effect on the root folder: early removals free entries, new files, folders and the
// deploy record's folder take theirs, and one temporary file exists at a time.
RootEntries count_root_entries(const DeployPlan& plan, const DeviceTree& device, std::uint32_t capacity);

} // namespace mpyship::deploy
