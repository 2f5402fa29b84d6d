// Folder listings remembered between builds (build/.mpyship/*-folders.tsv). A folder is read again only
// when it may have changed: one stat compares its device, inode, mtime and ctime with what they were when it
// was listed, instead of opening and reading it. A no-op build of 2,000 files in 700 folders spent a fifth
// of its time listing them.
//
// Adding, removing or renaming an entry moves the folder's mtime, but only to the file system's clock,
// which is coarse (a kernel tick; 1 s or 2 s on some file systems): a change made in the same tick as the
// listing could leave the mtime where it was. So a listing is remembered only when the folder's mtime and
// ctime were at least k_settle_ns older than the moment before it was read; a folder changed more recently
// is read again on each build until it has settled.
#pragma once

#include "mpyship/util/dir_list.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace mpyship::project {

class FolderCache {
  public:
    static constexpr std::int64_t k_settle_ns = 3'000'000'000;

    // Reads the listings saved in `file`; a missing, damaged or foreign file is an empty cache. `now_ns`
    // (wall clock, ns since the epoch) is the moment the build started; tests pass another one.
    static FolderCache load(const std::filesystem::path& file, std::int64_t now_ns = wall_clock_ns());

    // The entries of `dir` (a native path), sorted by name: remembered, or read now. The reference stays
    // valid until the cache is destroyed.
    Result<const std::vector<DirEntry>*> list(const std::string& dir);

    // Saves the listings used by this build when they differ from what was loaded (nothing to write on a
    // no-op build). Folders not listed this time are dropped.
    Result<void> save() const;

    std::size_t folders_read() const { return m_read; } // how many list() calls read the folder itself

    static std::int64_t wall_clock_ns();

  private:
    struct Folder {
        std::uint64_t dev = 0;
        std::uint64_t ino = 0;
        std::int64_t mtime_ns = 0;
        std::int64_t ctime_ns = 0;
        bool settled = false; // remembered for the next build
        bool used = false;    // listed by this build
        std::vector<DirEntry> entries;
    };

    FolderCache(std::filesystem::path file, std::int64_t now_ns) : m_file(std::move(file)), m_now_ns(now_ns) {}
    bool parse(std::string_view text);
    static bool storable(const std::string& text);

    std::filesystem::path m_file;
    std::int64_t m_now_ns;
    std::unordered_map<std::string, Folder> m_folders; // by the path list() was given
    std::size_t m_read = 0;
    bool m_changed = false; // a settled listing was read or replaced
};

} // namespace mpyship::project
