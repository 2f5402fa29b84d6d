// Reproducible release archives (libarchive): the same entries give the same bytes on any machine, in any
// time zone and umask. Entries are sorted, owned by uid/gid 0 with fixed modes and one mtime, and the gzip
// header has neither a file name nor a time. Also reads archives entry by entry, in memory, for verify.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace mpyship::release {

enum class ArchiveFormat { tar_gz, zip };

struct ArchiveEntry {
    std::string name;              // '/'-separated path inside the archive
    std::vector<std::uint8_t> data;
};

// Writes `entries` (any order; they are sorted, and parent directories added) to `path` atomically.
Result<void> write_archive(const std::filesystem::path& path, ArchiveFormat format, std::vector<ArchiveEntry> entries,
                           std::int64_t mtime);

struct ArchiveMember {
    std::string name;
    bool is_directory = false;
    std::vector<std::uint8_t> data; // regular files only
};

// Calls `visit` for every member. Fails on unreadable archives and on members that are links, devices,
// absolute paths or contain '..' (nothing is ever extracted to disk).
Result<void> read_archive(const std::filesystem::path& path, const std::function<void(ArchiveMember&&)>& visit);

} // namespace mpyship::release
