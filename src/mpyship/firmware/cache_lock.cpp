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

Result<CacheLock> CacheLock::acquire(const std::filesystem::path& lock_file,
                                     const std::function<void(std::string_view)>& on_wait) {
    std::error_code ec;
    std::filesystem::create_directories(lock_file.parent_path(), ec);
    std::string path = lock_file.string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail("cannot create the firmware cache lock", path, errno);
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
