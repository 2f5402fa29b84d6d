// The incremental-build record kept in build/.mpyship/cache.tsv: for each output, the source's stat data
// and content key, and the output's hash, size and mtime (an output changed since is rebuilt); plus a fingerprint of the manifest last written. A
// source whose stat data and build settings are unchanged is not read again; one whose content key is
// unchanged is not recompiled; an unchanged manifest is neither re-read nor rewritten. The format is
// tab-separated lines because a no-op rebuild reads it on every run and must stay fast.
#pragma once

#include "mpyship/util/error.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mpyship::project {

// A SHA-256 as its 64 hex digits, held inline: a no-op build loads two per file, and as heap strings they were
// 4,000 allocations (and as many copies) for 2,000 files.
struct HexDigest {
    std::array<char, 64> digits{};
    // `hex` must be 64 characters (a SHA-256 in hex); anything else gives nullopt.
    static std::optional<HexDigest> of(std::string_view hex);
    std::string_view view() const { return {digits.data(), digits.size()}; }
    std::string str() const { return std::string(view()); }
    bool operator==(const HexDigest&) const = default;
};

struct CacheEntry {
    std::uint64_t source_size = 0;
    std::int64_t source_mtime_ns = 0;
    std::uint64_t source_inode = 0;
    HexDigest key;       // sha256 of (settings, path, source bytes)
    std::string out_rel; // output path relative to build/mpy
    HexDigest out_sha256;
    std::uint64_t out_size = 0;
    std::int64_t out_mtime_ns = 0; // the output's mtime when written: a changed size or mtime means damage
    bool operator==(const CacheEntry&) const = default;
};

struct BuildCache {
    std::string settings;                      // fingerprint of target, options and compiler version
    std::string manifest; // fingerprint of the manifest content last written, then the file's size and mtime
    // By source path relative to src, sorted, no path twice: a vector, not a map, because a no-op build
    // loads and rebuilds it for every file (a map node each was ~5% of that build).
    std::vector<std::pair<std::string, CacheEntry>> entries;
    bool operator==(const BuildCache&) const = default;
};

std::filesystem::path cache_path(const std::filesystem::path& out_dir);
// A missing or unreadable cache is an empty one (the build then does everything again).
BuildCache load_cache(const std::filesystem::path& out_dir);
Result<void> save_cache(const std::filesystem::path& out_dir, const BuildCache& cache);

} // namespace mpyship::project
