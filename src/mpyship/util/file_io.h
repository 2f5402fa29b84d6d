// Whole-file reads and atomic writes. Every output file mpyship produces goes through
// write_file_atomic: a temporary file in the same directory, flushed and fsynced, then renamed,
// so a crash or a full disk never leaves a half-written file behind.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace mpyship {

using Bytes = std::vector<std::uint8_t>;

Result<Bytes> read_file(const std::filesystem::path& path);
Result<Bytes> read_stream_to_end(int fd, const std::string& name);
Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> data);

} // namespace mpyship
