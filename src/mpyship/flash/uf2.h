// The UF2 file format (Microsoft's USB flashing format, used by the rp2, samd, nrf and mimxrt bootloaders):
// 512-byte blocks, each carrying up to 476 bytes of payload for one flash address, framed by magic words.
//
//   offset  size  field
//   0       4     magic start 0 = 0x0A324655 ("UF2\n")
//   4       4     magic start 1 = 0x9E5D5157
//   8       4     flags (0x00002000: the word at 28 is a family ID, not a file size)
//   12      4     target address
//   16      4     payload size (256 when written by us; at most 476)
//   20      4     block number (0-based)
//   24      4     number of blocks in the file
//   28      4     family ID (with flag 0x2000) or file size
//   32      476   payload, zero-padded
//   508     4     magic end = 0x0AB16F30
// All words are little-endian. This file converts flash segments to blocks and parses blocks back.
#pragma once

#include "mpyship/firmware/uf2_family.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::flash {

inline constexpr std::size_t k_uf2_block_size = 512;
inline constexpr std::size_t k_uf2_max_payload = 476;
inline constexpr std::uint32_t k_uf2_page = 256; // payload per block we write, aligned to its address
inline constexpr std::uint32_t k_uf2_magic_start0 = 0x0A324655;
inline constexpr std::uint32_t k_uf2_magic_start1 = 0x9E5D5157;
inline constexpr std::uint32_t k_uf2_magic_end = 0x0AB16F30;
inline constexpr std::uint32_t k_uf2_flag_not_main_flash = 0x00000001;
inline constexpr std::uint32_t k_uf2_flag_family = 0x00002000;

// Bytes for consecutive flash addresses.
struct Segment {
    std::uint32_t address = 0;
    std::vector<std::uint8_t> data;
    bool operator==(const Segment&) const = default;
};

// Blocks for `segments` (need not be sorted; must not overlap): one block per 256-byte page, gaps inside a
// page filled with 0xff (erased flash). With no family, the file-size word holds the total payload size.
std::vector<std::uint8_t> encode_uf2(std::vector<Segment> segments, std::optional<std::uint32_t> family);

struct Uf2Image {
    std::optional<std::uint32_t> family; // the family of the main-flash blocks, when they carry one
    std::vector<Segment> segments;       // main-flash payload, sorted and merged where contiguous
    std::size_t blocks = 0;
    std::size_t payload_bytes = 0;
};
// Checks every block (size, magics, payload size, numbering, one family) and collects the payload; errors
// name `name` and the block. Blocks flagged "not main flash" are counted but not collected.
Result<Uf2Image> parse_uf2(std::span<const std::uint8_t> bytes, const std::string& name);

// Sorts by address and joins segments that touch; fails on overlap.
Result<std::vector<Segment>> merge_segments(std::vector<Segment> segments, const std::string& name);

} // namespace mpyship::flash
