// How a port's boards are flashed, decided from the port and the board's build files (mpconfigboard.mk /
// mpconfigboard.cmake): esptool for esp32/esp8266 (with the chip from IDF_TARGET), a UF2 bootloader drive for
// rp2, samd, nrf52840/52833 and mimxrt (with the UF2 family and, for raw .bin images, the flash address);
// nothing for unix and qemu, whose firmware runs on the host. Recorded in firmware-manifest.json as "target".
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mpyship::firmware {

enum class FlashMethod { esptool, uf2, none };

struct FlashTarget {
    FlashMethod method = FlashMethod::none;
    std::string chip; // "esp32s3", "rp2040", "samd51", "nrf52840", ... ; empty if unknown
    std::optional<std::uint32_t> uf2_family;
    std::optional<std::uint32_t> uf2_base;         // where a .bin image starts in flash
    std::optional<std::uint32_t> esp_image_offset; // where esp32/esp8266's merged firmware.bin goes
    std::string why_none;                          // for FlashMethod::none: what to do instead
    bool operator==(const FlashTarget&) const = default;
};

// `tree` is a MicroPython source tree; missing board files leave the port's defaults.
FlashTarget flash_target_for(const std::filesystem::path& tree, const std::string& port,
                             const std::optional<std::string>& board);

nlohmann::ordered_json flash_target_json(const FlashTarget& target);
// The inverse of flash_target_json; unknown or missing fields keep their defaults.
FlashTarget flash_target_from_json(const nlohmann::json& json);

std::string_view flash_method_name(FlashMethod method);

} // namespace mpyship::firmware
