// Reproducible release archives (libarchive): the same entries give the same bytes on any machine, in any
// time zone and umask. Entries are sorted, owned by uid/gid 0 with fixed modes and one mtime, and the gzip
// header has neither a file name nor a time. Also reads archives member by member, streaming, for verify.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace mpyship::release {

enum class ArchiveFormat { tar_gz, zip };

struct ArchiveEntry {
    std::string name; // '/'-separated path inside the archive
    std::vector<std::uint8_t> data;
};

// Writes `entries` (any order; they are sorted, and parent directories added) to `path` atomically.
Result<void> write_archive(const std::filesystem::path& path, ArchiveFormat format,
                           std::vector<ArchiveEntry> entries, std::int64_t mtime);

struct ArchiveMember {
    std::string name; // '/'-separated, UTF-8, without a leading "./"
    bool is_directory = false;
};

// The bytes of the member being visited, read in pieces; what the visitor leaves unread is skipped.
class MemberData {
public:
    virtual ~MemberData() = default;
    // Fills up to buffer.size() bytes; 0 at the member's end.
    virtual Result<std::size_t> read(std::span<std::uint8_t> buffer) = 0;
};

// Calls `visit` for every member, streaming: a member's bytes are never held whole unless the visitor
// keeps them. Fails on unreadable archives, on members that are links or devices, have an absolute path or
// '..', or appear twice, and on a visitor's error (nothing is ever extracted to disk). Names are read as
// UTF-8 whatever the locale.
using MemberVisitor = std::function<Result<void>(const ArchiveMember&, MemberData&)>;
Result<void> read_archive(const std::filesystem::path& path, const MemberVisitor& visit);

// Reads a member's bytes, at most `limit`; more than that is an error naming the member.
Result<std::vector<std::uint8_t>> read_member(const ArchiveMember& member, MemberData& data, std::size_t limit);

} // namespace mpyship::release
