#include "mpyship/firmware/cache_lock.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace mpyship::firmware {

CacheLock::CacheLock(CacheLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

CacheLock& CacheLock::operator=(CacheLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

CacheLock::~CacheLock() {
    if (m_fd >= 0)
        ::close(m_fd); // closing the last descriptor releases the flock
}

Result<int> CacheLock::open_lock_file(const std::filesystem::path& lock_file) {
    std::error_code ec;
    std::filesystem::create_directories(lock_file.parent_path(), ec);
    int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail("cannot create the firmware cache lock", lock_file.string(), errno);
    return fd;
}

Result<std::optional<CacheLock>> CacheLock::try_acquire(const std::filesystem::path& lock_file) {
    auto fd = open_lock_file(lock_file);
    if (!fd)
        return std::unexpected(fd.error());
    if (::flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return std::optional<CacheLock>(CacheLock(*fd));
    int e = errno;
    ::close(*fd);
    if (e == EWOULDBLOCK)
        return std::optional<CacheLock>();
    return fail("cannot lock the firmware cache", lock_file.string(), e);
}

Result<CacheLock> CacheLock::acquire(const std::filesystem::path& lock_file,
                                     const std::function<void(std::string_view)>& on_wait) {
    std::string path = lock_file.string();
    auto opened = open_lock_file(lock_file);
    if (!opened)
        return std::unexpected(opened.error());
    int fd = *opened;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
        return CacheLock(fd);
    if (errno != EWOULDBLOCK) {
        int e = errno;
        ::close(fd);
        return fail("cannot lock the firmware cache", path, e);
    }
    if (on_wait)
        on_wait("waiting for another `mpyship firmware build` of the same inputs to finish (" + path + ")");
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        int e = errno;
        ::close(fd);
        return fail("cannot lock the firmware cache", path, e);
    }
    return CacheLock(fd);
}

} // namespace mpyship::firmware
