// The manifest's version from `git describe --tags --always --dirty`, without starting git when nothing the
// answer depends on has changed since the last build: HEAD, the branch it names, packed-refs, every folder
// under refs/tags, the index, and the newest source and config mtimes (for -dirty) make the key, and the
// answer is kept beside the build cache. A project outside any repository gets no answer and no process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace mpyship::project {

// The repository's describe text for `root`, or nothing when `root` is not in a repository (or git fails).
// `cache_file` holds the last key and answer; `newest_edit_ns` is the newest mtime of the project's sources
// and config (-1: unknown, then git always runs). Edits outside the project that change neither the index
// nor a project file do not turn a cached answer -dirty until the index, HEAD or a tag changes.
std::optional<std::string> git_describe(const std::filesystem::path& root,
                                        const std::filesystem::path& cache_file, std::int64_t newest_edit_ns);

// The `.git` folder of the repository `dir` is in (searching upwards), or empty; a `.git` file (a linked
// worktree or submodule) is returned as it is.
std::filesystem::path find_git_dir(const std::filesystem::path& dir);

} // namespace mpyship::project
