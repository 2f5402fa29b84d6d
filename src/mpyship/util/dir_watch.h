// Watching a source folder for `mpyship watch`: inotify on the folder and every folder below it (new folders are
// added as they appear), and a debounce — after the first change, changes are gathered until the folder has
// been quiet for a while, so an editor's save burst (write, rename, chmod) or a `git checkout` is one batch.
// Names editors use for scratch files (hidden, `~` backups, .swp) are ignored.
#pragma once

#include "mpyship/util/error.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace mpyship {

enum class ChangeKind { added, changed, removed };

class DirWatch {
  public:
    static Result<DirWatch> open(const std::filesystem::path& root);
    DirWatch(DirWatch&& other) noexcept;
    DirWatch& operator=(DirWatch&&) = delete;
    DirWatch(const DirWatch&) = delete;
    ~DirWatch();

    // Blocks until something changed and then stayed quiet for `quiet`; paths relative to the root. Returns
    // an empty map when `stop` says so (asked at least every 100 ms).
    Result<std::map<std::string, ChangeKind>> next(std::chrono::milliseconds quiet,
                                                   const std::function<bool()>& stop);

  private:
    explicit DirWatch(int fd, std::filesystem::path root) : m_fd(fd), m_root(std::move(root)) {}
    Result<void> watch_tree(const std::filesystem::path& dir, std::map<std::string, ChangeKind>* found);
    Result<bool> read_events(std::map<std::string, ChangeKind>& changes, int timeout_ms);

    int m_fd = -1;
    std::filesystem::path m_root;
    std::map<int, std::filesystem::path> m_dirs; // watch descriptor -> folder
};

} // namespace mpyship
