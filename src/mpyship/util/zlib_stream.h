// zlib streams with a small window: what a board's `deflate.DeflateIO(stream, deflate.ZLIB, 10)` inflates
// with 1 KiB of RAM. Used for serial transfers (deploy) and the compressed twins of OTA objects (publish).
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <span>
#include <vector>

namespace mpyship {

inline constexpr int k_board_window_bits = 10; // a 1 KiB window

// The zlib stream of `data` at the best compression; empty when zlib fails.
std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data, int window_bits = k_board_window_bits);
// Inflates a zlib stream (any window); fails when it is damaged or inflates to more than `limit` bytes.
Result<std::vector<std::uint8_t>> zlib_inflate(std::span<const std::uint8_t> data, std::size_t limit);

} // namespace mpyship
