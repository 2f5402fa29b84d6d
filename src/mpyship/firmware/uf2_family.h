// UF2 family IDs: which chip a UF2 image is for. The board files name the family at build time (recorded in
// firmware-manifest.json), and `flash` checks it against the bootloader drive.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mpyship::firmware {

struct Uf2Family {
    std::string_view name;
    std::uint32_t id;
};
// The families of the boards MicroPython's UF2-capable ports run on (IDs from the UF2 family list).
std::span<const Uf2Family> uf2_families();
// A family by name (case-insensitive, e.g. "rp2040", "SAMD51") or by number ("0xada52840").
std::optional<std::uint32_t> parse_uf2_family(std::string_view text);
// "RP2040 (0xe48bff56)", or just the number for an unknown ID.
std::string describe_uf2_family(std::uint32_t id);

} // namespace mpyship::firmware
