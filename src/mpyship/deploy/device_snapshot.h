// The device's side of the plan in one round trip: a Python script walks the deploy folder and prints
// every file (size, and SHA-256 for the files whose size equals the build's at that path) and folder,
// and the deploy record. The result is the same DeviceTree snapshot the drive deploy plans from. A
// device without hashlib.sha256 reports sizes only; the caller then treats equal sizes as equal content.
#pragma once

#include "mpyship/deploy/drive_tree.h"
#include "mpyship/project/manifest.h"
#include "mpyship/util/error.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::deploy {

struct DeviceSnapshot {
    DeviceTree tree;
    std::optional<std::string> record_json; // .mpyship/deployed.json when the device has one
    std::vector<std::string> unreadable;    // entries the device could not list or stat: "path (OSError N)"
};

// `hash`: whether the device has hashlib.sha256.
std::string snapshot_script(const project::Manifest& manifest, bool hash);
Result<DeviceSnapshot> parse_snapshot(std::string_view output, const std::string& port);

// Size-only comparison: device files at a build path with the build's size are taken to hold its content.
void assume_equal_sizes_match(DeviceTree& tree, const project::Manifest& manifest);

// The listing carries the first k_listing_digits hex digits of each hash (64 bits: enough to tell a changed
// file, at a quarter of the bytes on the link); a file whose digits start the build's hash gets the full one.
inline constexpr std::size_t k_listing_digits = 16;
void expand_digest_prefixes(DeviceTree& tree, const project::Manifest& manifest);

} // namespace mpyship::deploy
