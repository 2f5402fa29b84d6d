// What is on the other end of `deploy --to PATH`: checks that PATH is a writable folder and recognises the
// runtime from the drive's marker files. CircuitPython writes boot_out.txt ("Adafruit CircuitPython 10.2.1
// on 2025-...; Board Name with chip", then "Board ID:..."); MicroPython's USB drive (pyboard-style ports)
// has no boot_out.txt but is created with pybcdc.inf, so that file marks a MicroPython drive.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::deploy {

inline constexpr const char* k_boot_out_file = "boot_out.txt";
inline constexpr const char* k_micropython_marker = "pybcdc.inf";

enum class Runtime { unknown, circuitpython, micropython };
std::string_view runtime_name(Runtime runtime);

struct BootInfo {
    Runtime runtime = Runtime::unknown;
    std::string version;  // e.g. "10.2.1" or "9.0.0-beta.0"
    int major = 0;        // 0 when the version could not be read
    std::string board;    // e.g. "Adafruit Feather RP2040 with rp2040"
    std::string board_id; // from the "Board ID:" line, empty when absent
    std::string unreadable; // why boot_out.txt could not be read, empty when it was
};

// Pure: the text of boot_out.txt. Unrecognised text gives Runtime::unknown.
BootInfo parse_boot_out(std::string_view text);

struct DriveInfo {
    std::filesystem::path root;
    bool has_boot_out = false;
    bool has_micropython_marker = false;
    BootInfo boot;
    bool is_board_drive() const { return has_boot_out || has_micropython_marker; }
};

// Fails when PATH is missing, not a folder or read-only; reads the marker files.
Result<DriveInfo> probe_drive(const std::filesystem::path& root);

// `--to auto`: the one mounted folder holding boot_out.txt; an error when there is none or several.
Result<std::filesystem::path>
find_board_drive(const std::filesystem::path& mounts_file = "/proc/self/mounts");

} // namespace mpyship::deploy
