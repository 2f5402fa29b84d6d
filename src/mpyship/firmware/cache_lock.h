// One `firmware build` at a time per cache key: an exclusive flock on CACHE/locks/KEY.lock held while the
// tree is prepared, make runs in it and the outputs are collected. A second build of the same key (another
// terminal, a CI job sharing the cache) waits instead of running make in the same tree. The kernel drops the
// lock when the process dies, so a killed build never leaves it stuck.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

namespace mpyship::firmware {

class CacheLock {
  public:
    CacheLock() = default;
    CacheLock(CacheLock&& other) noexcept;
    CacheLock& operator=(CacheLock&& other) noexcept;
    CacheLock(const CacheLock&) = delete;
    CacheLock& operator=(const CacheLock&) = delete;
    ~CacheLock();

    // Locks the file (creating it and its folder); when another process holds it, calls on_wait once, then
    // blocks. The file stays: removing a lock file others may be waiting on would let two builds in at once.
    static Result<CacheLock> acquire(const std::filesystem::path& lock_file,
                                     const std::function<void(std::string_view)>& on_wait);

    // Without waiting: nullopt when another process holds it.
    static Result<std::optional<CacheLock>> try_acquire(const std::filesystem::path& lock_file);

  private:
    explicit CacheLock(int fd) : m_fd(fd) {}
    static Result<int> open_lock_file(const std::filesystem::path& lock_file);
    int m_fd = -1;
};

} // namespace mpyship::firmware
