// Collects a port's images from its build folder into build/firmware/ with firmware-manifest.json (the
// inputs' hashes, toolchain versions, and each output's SHA-256 and size). Everything is written into a
// temporary sibling folder, then swapped in with one rename, so build/firmware/ is always complete.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mpyship::firmware {

inline constexpr const char* k_firmware_manifest = "firmware-manifest.json";

struct OutputFile {
    std::string name; // relative to the build folder, e.g. "firmware.bin", "bootloader/bootloader.bin"
    std::string sha256;
    std::uintmax_t size = 0;
};

// The images found in a port build folder, sorted: firmware.*, *.uf2, *.hex, *.elf, *.bin, *.dfu, flash_args,
// micropython (unix), bootloader/bootloader.bin, partition_table/partition-table.bin.
std::vector<std::string> find_images(const std::filesystem::path& build_dir);

// `inputs` becomes the manifest's "inputs" object. Fails (leaving `dest` untouched) when there is no image.
Result<std::vector<OutputFile>> collect_outputs(const std::filesystem::path& build_dir,
                                                const std::filesystem::path& dest,
                                                const nlohmann::ordered_json& inputs);

} // namespace mpyship::firmware
