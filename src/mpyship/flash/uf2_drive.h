// A UF2 bootloader's USB drive: recognised by the INFO_UF2.TXT every UF2 bootloader serves ("UF2 Bootloader
// v3.0", "Model: Raspberry Pi RP2", "Board-ID: RPI-RP2"). Writing a .uf2 file to it flashes the board, which
// then resets and the drive goes away. The file is written in place, not through a temporary name: the
// bootloader flashes blocks as they arrive whatever the file is called, and it has no real file system to
// rename in.
#pragma once

#include "mpyship/flash/uf2.h"
#include "mpyship/util/error.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::flash {

inline constexpr const char* k_info_uf2 = "INFO_UF2.TXT";

struct Uf2DriveInfo {
    std::filesystem::path root;
    std::string bootloader; // the first line, e.g. "UF2 Bootloader v3.0"
    std::string model;      // "Model:" value
    std::string board_id;   // "Board-ID:" value
};

// Pure: the text of INFO_UF2.TXT.
Uf2DriveInfo parse_info_uf2(std::string_view text);

// Reads INFO_UF2.TXT under `root` (case-insensitively named); fails when there is none.
Result<Uf2DriveInfo> probe_uf2_drive(const std::filesystem::path& root);

// `--to auto`: the one mounted folder with INFO_UF2.TXT; an error when there is none (with how to enter the
// bootloader) or several (listing them).
Result<Uf2DriveInfo> find_uf2_drive(const std::filesystem::path& mounts_file = "/proc/self/mounts");

// The UF2 families the drive accepts, when its Board-ID / Model names a known chip (e.g. "RPI-RP2" → RP2040,
// "SAMD51J19A-Itsy-v0" → SAMD51, RP2350 → its four families); empty when it names none. Used to refuse an
// image built for another chip.
std::vector<std::uint32_t> drive_families(const Uf2DriveInfo& drive);

// Writes `bytes` to root/`name`, fsyncs the file and the drive. When the write fails because the board has
// already reset (the drive is gone), the error says so.
Result<void> write_uf2_to_drive(const std::filesystem::path& root, const std::string& name,
                                std::span<const std::uint8_t> bytes);

// Polls until root/INFO_UF2.TXT is gone (the board reset into the new firmware) or `timeout` passes.
bool wait_for_drive_to_go(const std::filesystem::path& root, std::chrono::milliseconds timeout);

} // namespace mpyship::flash
