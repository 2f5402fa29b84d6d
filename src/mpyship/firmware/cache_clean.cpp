#include "mpyship/firmware/cache_clean.h"

#include "mpyship/firmware/cache_lock.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>

namespace mpyship::firmware {

namespace fs = std::filesystem;

namespace {

std::uint64_t folder_bytes(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && !it->is_symlink(ec))
            total += it->file_size(ec);
    return total;
}

// "KEY.tmp-PID" → PID, when the name has that shape.
std::optional<long> leftover_pid(const std::string& name) {
    auto at = name.rfind(".tmp-");
    if (at == std::string::npos)
        return std::nullopt;
    long pid = 0;
    const char* first = name.data() + at + 5;
    const char* last = name.data() + name.size();
    auto [end, ec] = std::from_chars(first, last, pid);
    if (ec != std::errc() || end != last || pid <= 0)
        return std::nullopt;
    return pid;
}

bool process_alive(long pid) {
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

Result<void> remove_folder(const fs::path& dir, CleanReport& report, bool dry_run) {
    report.freed_bytes += folder_bytes(dir);
    report.removed.push_back(dir.filename().string());
    if (dry_run)
        return {};
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec)
        return fail("cannot remove a cached tree: " + ec.message(), dir.string());
    return {};
}

Result<void> clean_key(const fs::path& cache_root, const fs::path& dir, CleanReport& report, bool dry_run) {
    fs::path lock_file = cache_root / "locks" / (dir.filename().string() + ".lock");
    auto lock = CacheLock::try_acquire(lock_file);
    if (!lock)
        return std::unexpected(lock.error());
    if (!*lock) {
        report.in_use.push_back(dir.filename().string());
        return {};
    }
    if (auto r = remove_folder(dir, report, dry_run); !r)
        return r;
    std::error_code ec;
    if (!dry_run)
        fs::remove(lock_file, ec); // while still held: see the file comment
    return {};
}

} // namespace

Result<CleanReport> clean_cache(const fs::path& cache_root, const std::optional<std::string>& keep,
                                bool dry_run) {
    CleanReport report;
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (fs::directory_iterator it(cache_root / "firmware", ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec))
            dirs.push_back(it->path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
        std::string name = dir.filename().string();
        if (keep && name == *keep) {
            report.kept = name;
            continue;
        }
        auto pid = leftover_pid(name);
        if (pid && process_alive(*pid)) {
            report.in_use.push_back(name);
            continue;
        }
        auto done = pid ? remove_folder(dir, report, dry_run) : clean_key(cache_root, dir, report, dry_run);
        if (!done)
            return std::unexpected(done.error());
    }
    return report;
}

} // namespace mpyship::firmware
