// The mounted file systems of this machine, as /proc/self/mounts lists them: where `--to auto` looks
// for a board's drive (deploy) and for a bootloader's drive (flash).
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship {

// Pure: the mount points of /proc/self/mounts text (octal escapes such as "\040" decoded), in file order.
std::vector<std::string> parse_mount_points(std::string_view mounts_text);

// Reads and parses the mounts file.
Result<std::vector<std::string>>
read_mount_points(const std::filesystem::path& mounts_file = "/proc/self/mounts");

} // namespace mpyship
