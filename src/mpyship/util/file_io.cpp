#include "mpyship/util/file_io.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mpyship {
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// Reads until EOF; fd stays open. `size_hint` (a regular file's size) sizes the buffer so that a file is read
// straight into it: no copy from a bounce buffer, no regrowth (a 500 KB build cache was copied ~4 times).
Result<Bytes> read_all(int fd, const std::string& name, std::size_t size_hint = 0) {
    Bytes out(size_hint + 1); // one byte more, so that the end of the file is seen without growing
    std::size_t used = 0;
    for (;;) {
        if (used == out.size())
            out.resize(std::max<std::size_t>(out.size() * 2, 65536));
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            return fail("cannot read: " + std::string(std::strerror(e)), name, e);
        }
        if (n == 0) {
            out.resize(used);
            return out;
        }
        used += static_cast<std::size_t>(n);
    }
}

Result<void> write_all(int fd, std::span<const std::uint8_t> data, const std::string& name) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            return fail("cannot write: " + std::string(std::strerror(e)), name, e);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

} // namespace

Result<Bytes> read_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail("cannot open: " + std::string(std::strerror(e)), path.string(), e);
    }
    struct stat st {};
    bool known = ::fstat(fd, &st) == 0;
    if (known && S_ISDIR(st.st_mode)) {
        ::close(fd);
        return fail("is a directory", path.string(), EISDIR);
    }
    auto data = read_all(fd, path.string(), known && S_ISREG(st.st_mode) ? std::size_t(st.st_size) : 0);
    ::close(fd);
    return data;
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return std::string(as_text(*bytes));
}

Result<Bytes> read_stream_to_end(int fd, const std::string& name) {
    return read_all(fd, name);
}

namespace {

// Gives up a write through the temporary file `tmp` (open as fd): closed and removed.
std::unexpected<Error> abandon(int fd, const std::string& tmp, Error e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(e));
}

// The end of a write through a temporary file: closed, then renamed over `path`; removed if either fails.
Result<void> close_and_rename(int fd, const std::string& tmp, const std::filesystem::path& path) {
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return fail("cannot close: " + errno_text(), path.string());
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        return fail("cannot rename into place: " + why, path.string());
    }
    return {};
}

Result<void> write_via_temporary(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                                 unsigned mode, bool durable) {
    std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    int fd = ::mkstemp(tmpl.data()); // 0600 until the fchmod below
    if (fd < 0) {
        int e = errno;
        return fail("cannot create temporary file: " + std::string(std::strerror(e)), path.string(), e);
    }
    if (auto w = write_all(fd, data, path.string()); !w)
        return abandon(fd, tmpl, w.error());
    if (::fchmod(fd, mode_t(mode)) != 0 || (durable && ::fsync(fd) != 0))
        return abandon(fd, tmpl, Error::at(path.string(), "cannot flush: " + errno_text()));
    return close_and_rename(fd, tmpl, path);
}

// An existing device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`, a pipe) is written into, never
// renamed over: a rename would put a regular file in its place (as root, /dev/null itself).
Result<void> write_into_special(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail("cannot open: " + std::string(std::strerror(e)), path.string(), e);
    }
    auto written = write_all(fd, data, path.string());
    ::close(fd);
    return written;
}

bool is_special_file(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

Result<void> write_file(const std::filesystem::path& path, std::span<const std::uint8_t> data, unsigned mode,
                        bool durable) {
    if (is_special_file(path))
        return write_into_special(path, data);
    return write_via_temporary(path, data, mode, durable);
}

} // namespace

Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                               unsigned mode) {
    return write_file(path, data, mode, true);
}

Result<std::int64_t> write_build_output(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
    static std::atomic<unsigned> s_counter{0};
    static const std::string s_pid = std::to_string(::getpid()); // a system call each time otherwise
    const std::string prefix = (path.has_parent_path() ? path.parent_path().string() + "/" : std::string()) + "." +
                               path.filename().string() + ".tmp-" + s_pid + "-";
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) { // a name left by a killed build is skipped
        tmp = prefix + std::to_string(s_counter++);
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return fail("cannot create temporary file: " + errno_text(), path.string());
    if (auto w = write_all(fd, data, path.string()); !w)
        return abandon(fd, tmp, w.error());
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return abandon(fd, tmp, Error::at(path.string(), "cannot read back: " + errno_text()));
    if (auto done = close_and_rename(fd, tmp, path); !done)
        return std::unexpected(done.error());
    return std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

Result<void> write_file_replace(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
    return write_file(path, data, 0644, false);
}

} // namespace mpyship
