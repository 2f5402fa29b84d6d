// One `firmware build` at a time per cache key: an exclusive flock on CACHE/firmware/KEY.lock held while the
// tree is prepared, make runs in it and the outputs are collected. A second build of the same key (another
// terminal, a CI job sharing the cache) waits instead of running make in the same tree. The kernel drops the
// lock when the process dies, so a killed build never leaves it stuck.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <functional>
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

    // Locks `cache_dir`.lock (creating it); when another process holds it, calls on_wait once, then blocks.
    static Result<CacheLock> acquire(const std::filesystem::path& cache_dir,
                                     const std::function<void(std::string_view)>& on_wait);

private:
    explicit CacheLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace mpyship::firmware
