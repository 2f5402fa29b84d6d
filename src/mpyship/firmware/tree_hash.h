// The content hash of a folder: SHA-256 over every regular file's relative path, mode (executable or
// not) and bytes, and every symlink's target, in sorted path order. `.git` folders and build output
// (`build`, `build-*` folders) are skipped, so a tree hashes the same before and after a build.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>

namespace mpyship::firmware {

Result<std::string> tree_hash(const std::filesystem::path& dir);
// One file's bytes, hashed; errors name the file.
Result<std::string> file_hash(const std::filesystem::path& file);

} // namespace mpyship::firmware
