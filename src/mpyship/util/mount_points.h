// The mounted file systems of this machine, as /proc/self/mounts lists them: where `--to auto` looks
// for a board's drive (deploy) and for a bootloader's drive (flash).
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship {

struct MountEntry {
    std::string source; // the device, image or name it was mounted from
    std::string point;
    std::string type; // "vfat", "fuse.fusefat", ...
};

// Pure: every line of /proc/self/mounts text, escapes decoded, in file order.
std::vector<MountEntry> parse_mounts(std::string_view mounts_text);
Result<std::vector<MountEntry>> read_mounts(const std::filesystem::path& mounts_file = "/proc/self/mounts");
// The entry whose mount point is `path` itself, if any (the last such line: later mounts hide earlier ones).
const MountEntry* mount_at(const std::vector<MountEntry>& mounts, const std::filesystem::path& path);

// Pure: the mount points of /proc/self/mounts text (octal escapes such as "\040" decoded), in file order.
std::vector<std::string> parse_mount_points(std::string_view mounts_text);

// Reads and parses the mounts file.
Result<std::vector<std::string>>
read_mount_points(const std::filesystem::path& mounts_file = "/proc/self/mounts");

} // namespace mpyship
