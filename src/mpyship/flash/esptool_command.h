// Flashing ESP32-family and ESP8266 boards through the user's esptool: the ESP-IDF `flash_args` file the
// esp32 port writes (first line: write options such as "--flash_mode dio --flash_freq 80m --flash_size 4MB";
// then one "OFFSET FILE" line per image, FILE relative to the build folder), and the esptool command line.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::flash {

struct FlashImage {
    std::uint32_t offset = 0;
    std::string file; // relative to the firmware folder
};

struct FlashArgs {
    std::vector<std::string> options; // write_flash options from the first line
    std::vector<FlashImage> images;
};

// Errors name `name` and the line.
Result<FlashArgs> parse_flash_args(std::string_view text, const std::string& name);

struct EsptoolRequest {
    std::string esptool;             // the program, as found on PATH
    std::string chip;                // "esp32", "esp32s3", ...; "auto" when unknown
    std::optional<std::string> port; // esptool finds the port itself when absent
    unsigned baud = 460800;
    bool erase_all = false;
    std::filesystem::path firmware_dir; // images are passed as paths in this folder
    FlashArgs args;
};

// esptool [--chip C] [--port P] --baud B --before default_reset --after hard_reset write_flash [options]
// [--erase-all] OFFSET FILE ...; spelled the way esptool 4 and 5 both accept.
std::vector<std::string> esptool_argv(const EsptoolRequest& request);

// "esptool" (esptool 4.x/5.x, Debian's package) or else "esptool.py" (pip installs), from `path_env`; the
// error says how to install it.
Result<std::string> find_esptool(const std::string& path_env);

} // namespace mpyship::flash
