// The incremental-build record kept in build/.mpyship/cache.tsv: for each output, the source's stat data
// and content key, and the output's hash, size and mtime (an output changed since is rebuilt); plus a fingerprint of the manifest last written. A
// source whose stat data and build settings are unchanged is not read again; one whose content key is
// unchanged is not recompiled; an unchanged manifest is neither re-read nor rewritten. The format is
// tab-separated lines because a no-op rebuild reads it on every run and must stay fast.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace mpyship::project {

struct CacheEntry {
    std::uint64_t source_size = 0;
    std::int64_t source_mtime_ns = 0;
    std::uint64_t source_inode = 0;
    std::string key;     // sha256 of (settings, path, source bytes)
    std::string out_rel; // output path relative to build/mpy
    std::string out_sha256;
    std::uint64_t out_size = 0;
    std::int64_t out_mtime_ns = 0; // the output's mtime when written: a changed size or mtime means damage
    bool operator==(const CacheEntry&) const = default;
};

struct BuildCache {
    std::string settings;                      // fingerprint of target, options and compiler version
    std::string manifest; // fingerprint of the manifest content last written, then the file's size and mtime
    std::map<std::string, CacheEntry> entries; // by source path relative to src
    bool operator==(const BuildCache&) const = default;
};

std::filesystem::path cache_path(const std::filesystem::path& out_dir);
// A missing or unreadable cache is an empty one (the build then does everything again).
BuildCache load_cache(const std::filesystem::path& out_dir);
Result<void> save_cache(const std::filesystem::path& out_dir, const BuildCache& cache);

} // namespace mpyship::project
