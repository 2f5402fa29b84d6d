#include "mpyship/firmware/uf2_family.h"

#include "mpyship/util/parse_u32.h"

#include <cctype>
#include <fmt/core.h>

namespace mpyship::firmware {
namespace {

// IDs as published in the UF2 family list; the RP2350 entries are the ones its boot ROM documents.
constexpr Uf2Family k_families[] = {
    {"SAMD21", 0x68ed2b88},       {"SAMD51", 0x55114460},       {"NRF52840", 0xada52840},
    {"NRF52833", 0x621e937a},     {"NRF52", 0x1b57745f},        {"RP2040", 0xe48bff56},
    {"RP2350-ARM-S", 0xe48bff59}, {"RP2350-RISCV", 0xe48bff5a}, {"RP2350-ARM-NS", 0xe48bff5b},
    {"ESP32S2", 0xbfdd4eee},      {"ESP32S3", 0xc47e5767},      {"ESP32C3", 0xd42ba06c},
    {"ESP32", 0x1c5f21b0},        {"MIMXRT10XX", 0x4fb2d5bd},   {"STM32F4", 0x57755a57},
    {"STM32F7", 0x53b80f00},      {"STM32L4", 0x00ff6919},      {"STM32H7", 0x6db66082},
};

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

std::span<const Uf2Family> uf2_families() {
    return k_families;
}

std::optional<std::uint32_t> parse_uf2_family(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X"))
        return parse_u32(text);
    std::string want = upper(text);
    for (const auto& f : k_families)
        if (f.name == want)
            return f.id;
    return std::nullopt;
}

std::string describe_uf2_family(std::uint32_t id) {
    for (const auto& f : k_families)
        if (f.id == id)
            return fmt::format("{} (0x{:08x})", f.name, id);
    return fmt::format("0x{:08x}", id);
}

} // namespace mpyship::firmware
