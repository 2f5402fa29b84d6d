// The firmware cache key: SHA-256 over every input that shapes the prepared source tree and the build —
// source identity (a local folder's content hash, or git URL + rev + pinned hash), patch contents in order,
// the manifest inputs, C module contents, port/board/variant, make variables, the project folder and the
// mpyship version. `describe_inputs` is the hashed text, so a key can be explained.
#pragma once

#include "mpyship/firmware/firmware_config.h"

#include <filesystem>
#include <string>

namespace mpyship::firmware {

struct CacheKey {
    std::string key;    // 64 hex digits
    std::string inputs; // the text that was hashed, one input per line
};

Result<CacheKey> compute_cache_key(const FirmwareConfig& config, std::string_view mpyship_version);

// $MPYSHIP_CACHE_DIR, else $XDG_CACHE_HOME/mpyship, else ~/.cache/mpyship.
std::filesystem::path default_cache_root();

} // namespace mpyship::firmware
