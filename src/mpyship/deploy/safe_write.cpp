#include "mpyship/deploy/safe_write.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int e) {
    if (e == ENOSPC)
        return "the drive is full";
    return std::strerror(e);
}

// Removes the temporary file and reports why the write stopped; the old file was never touched.
std::unexpected<Error> abandon(int fd, const fs::path& temp, const std::string& what, const fs::path& target,
                               int e) {
    if (fd >= 0)
        ::close(fd);
    ::unlink(temp.c_str());
    return fail(what + ": " + errno_text(e) + " (the old file is unchanged)", target.string(), e);
}

Result<void> write_chunks(int fd, std::span<const std::uint8_t> data, const std::string& path,
                          const StepHook& hook) {
    std::size_t done = 0;
    while (done < data.size()) {
        step(hook, "write", path);
        std::size_t n = std::min(k_write_chunk, data.size() - done);
        ssize_t w = ::write(fd, data.data() + done, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return fail("cannot write", path, w < 0 ? errno : ENOSPC);
        done += std::size_t(w);
    }
    return {};
}

} // namespace

std::string temp_path_for(std::string_view path) {
    static std::uint32_t counter = 0;
    std::uint32_t id = (std::uint32_t(::getpid()) * 7919u + counter++) % 0x100000u;
    char name[16];
    std::snprintf(name, sizeof name, "%s%05x%s", k_temp_prefix.data(), id, k_temp_suffix.data());
    auto slash = path.rfind('/');
    return std::string(slash == path.npos ? std::string_view{} : path.substr(0, slash + 1)) + name;
}

bool is_temp_name(std::string_view path) {
    auto slash = path.rfind('/');
    std::string_view name = slash == path.npos ? path : path.substr(slash + 1);
    if (name.size() != k_temp_prefix.size() + 5 + k_temp_suffix.size() || !name.starts_with(k_temp_prefix) ||
        !name.ends_with(k_temp_suffix))
        return false;
    std::string_view id = name.substr(k_temp_prefix.size(), 5);
    return id.find_first_not_of("0123456789abcdef") == id.npos;
}

Result<void> safe_write(const fs::path& root, const std::string& path, std::span<const std::uint8_t> data,
                        const StepHook& hook) {
    fs::path target = root / path, temp = root / temp_path_for(path);
    step(hook, "create", path);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return abandon(-1, temp, "cannot create temporary file", target, errno);
    if (auto w = write_chunks(fd, data, path, hook); !w)
        return abandon(fd, temp, "cannot write", target, w.error().sys_errno);
    step(hook, "fsync", path);
    if (::fsync(fd) != 0)
        return abandon(fd, temp, "cannot flush", target, errno);
    if (::close(fd) != 0)
        return abandon(-1, temp, "cannot close", target, errno);
    step(hook, "rename", path);
    if (::rename(temp.c_str(), target.c_str()) != 0)
        return abandon(-1, temp, "cannot rename into place", target, errno);
    return {};
}

} // namespace mpyship::deploy
