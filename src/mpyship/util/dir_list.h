// Directory listing with file types from readdir (no stat per entry, lstat only where the file system
// does not report types). Builds list thousands of files on every run; this keeps no-op builds fast.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship {

enum class EntryType { file, directory, symlink, other };

struct DirEntry {
    std::string name;
    EntryType type = EntryType::other;
};

// Entries of `dir` sorted by name, without "." and "..".
Result<std::vector<DirEntry>> list_directory(const std::filesystem::path& dir);

} // namespace mpyship
