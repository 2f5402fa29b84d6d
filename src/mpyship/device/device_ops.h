// The rules `mpyship device` applies on top of a DeviceFs, the same for a drive and a serial device: where
// a put lands (a folder destination takes the file's name), and which removals need --force (what deploy
// never removes: boot_out.txt, settings.toml, the deploy record, host metadata; also the root folder).
#pragma once

#include "mpyship/device/device_fs.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::device {

// DEST as given, or DEST/name when DEST is a folder on the device (or ends with '/'); name when empty.
Result<std::string> put_destination(DeviceFs& fs, const std::filesystem::path& local, const std::string& dest);

struct RemovalCheck {
    std::size_t files = 0, folders = 0;   // what the removal takes away
    std::vector<std::string> protected_paths; // "path (reason)", removed only with --force
};

// Checks `path` (and with `recursive`, everything under it) before anything is removed. Fails when the path
// is missing, is the root, is a folder without `recursive`, or holds protected paths and `force` is false.
Result<RemovalCheck> check_removal(DeviceFs& fs, const std::string& path, bool recursive, bool force);

} // namespace mpyship::device
