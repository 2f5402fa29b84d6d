// What `mpyship device` works on: a board's files, reached either through its mounted USB drive (DriveFs) or
// over the serial raw REPL (SerialFs). Paths are '/'-separated; a relative path starts at the drive's root or
// the device's working folder, an absolute one at the drive's root or the device's root. Listings give paths
// relative to the folder listed.
#pragma once

#include "mpyship/util/error.h"
#include "mpyship/util/file_io.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mpyship::device {

struct DeviceEntry {
    std::string path;
    bool is_dir = false;
    std::int64_t size = 0; // -1: the entry lists but cannot be stat'ed (a dangling link, a damaged entry)
};

struct DeviceSpace {
    std::uint64_t total = 0, free = 0, block = 0;
};

enum class ResetKind { soft, hard };

class DeviceFs {
  public:
    virtual ~DeviceFs() = default;
    virtual std::string where() const = 0; // the port or the drive's folder, for messages
    // `path` relative to the folder deploys go to (the drive's root, the device's working folder), for the
    // protection rules; nullopt when it lies outside that folder.
    virtual std::optional<std::string> deploy_relative(const std::string& path) const = 0;

    virtual Result<std::optional<DeviceEntry>> stat(const std::string& path) = 0; // nullopt: nothing there
    virtual Result<std::vector<DeviceEntry>> list(const std::string& path, bool recursive) = 0;
    virtual Result<Bytes> read(const std::string& path) = 0;
    // A temporary name in the same folder, checked, then renamed over the old file.
    virtual Result<void> write(const std::string& path, std::span<const std::uint8_t> data) = 0;
    virtual Result<void> remove(const std::string& path, bool recursive) = 0;
    virtual Result<void> make_dir(const std::string& path) = 0;
    virtual Result<DeviceSpace> space(const std::string& path) = 0;
    virtual Result<std::string> sha256(const std::string& path) = 0;
    virtual Result<void> reset(ResetKind kind) = 0;
    virtual Result<void> close() = 0; // leaves the board as it was found (the friendly REPL)
};

} // namespace mpyship::device
