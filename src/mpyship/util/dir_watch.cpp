#include "mpyship/util/dir_watch.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace mpyship {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t k_mask =
    IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR;

bool ignored_name(std::string_view name) {
    return name.empty() || name.front() == '.' || name.back() == '~' || name.ends_with(".swp") ||
           name.ends_with(".swx") || name == "4913"; // vim's write test
}

// A later event overrides an earlier one, except that a file added and then written stays "added" and one
// removed and then added back is "changed".
void note(std::map<std::string, ChangeKind>& changes, const std::string& path, ChangeKind kind) {
    auto it = changes.find(path);
    if (it == changes.end()) {
        changes[path] = kind;
        return;
    }
    if (it->second == ChangeKind::added && kind == ChangeKind::changed)
        return;
    if (it->second == ChangeKind::removed && kind == ChangeKind::added)
        kind = ChangeKind::changed;
    if (it->second == ChangeKind::added && kind == ChangeKind::removed) {
        changes.erase(it);
        return;
    }
    it->second = kind;
}

} // namespace

Result<DirWatch> DirWatch::open(const fs::path& root) {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return fail(std::string("cannot watch for changes (inotify): ") + std::strerror(errno), root.string(), errno);
    DirWatch w(fd, root);
    if (auto r = w.watch_tree(root, nullptr); !r)
        return std::unexpected(r.error());
    return w;
}

DirWatch::DirWatch(DirWatch&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_root(std::move(other.m_root)), m_dirs(std::move(other.m_dirs)) {}

DirWatch::~DirWatch() {
    if (m_fd >= 0)
        ::close(m_fd);
}

// Watches `dir` and the folders below it; with `found`, the files already there count as added (a folder
// that appeared with files in it, e.g. moved in or unpacked).
Result<void> DirWatch::watch_tree(const fs::path& dir, std::map<std::string, ChangeKind>* found) {
    int wd = ::inotify_add_watch(m_fd, dir.c_str(), k_mask);
    if (wd < 0) {
        if (errno == ENOSPC)
            return fail("too many folders to watch: raise fs.inotify.max_user_watches", dir.string(), errno);
        return fail(std::string("cannot watch: ") + std::strerror(errno), dir.string(), errno);
    }
    m_dirs[wd] = dir;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (ignored_name(e.path().filename().string()))
            continue;
        if (e.is_directory(ec) && !e.is_symlink(ec)) {
            if (auto r = watch_tree(e.path(), found); !r)
                return r;
        } else if (found) {
            note(*found, fs::relative(e.path(), m_root).generic_string(), ChangeKind::added);
        }
    }
    return {};
}

// Waits up to `timeout_ms` for events and records them; false when none came.
Result<bool> DirWatch::read_events(std::map<std::string, ChangeKind>& changes, int timeout_ms) {
    struct pollfd p {
        m_fd, POLLIN, 0
    };
    int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno != EINTR)
        return fail(std::string("cannot wait for changes: ") + std::strerror(errno), m_root.string(), errno);
    if (n <= 0)
        return false;
    alignas(inotify_event) char buffer[16384];
    bool any = false;
    for (ssize_t len; (len = ::read(m_fd, buffer, sizeof buffer)) > 0;) {
        for (char* at = buffer; at < buffer + len;) {
            auto* ev = reinterpret_cast<inotify_event*>(at);
            at += sizeof(inotify_event) + ev->len;
            auto dir = m_dirs.find(ev->wd);
            if (dir == m_dirs.end() || ev->len == 0 || ignored_name(ev->name))
                continue;
            fs::path full = dir->second / ev->name;
            std::string rel = fs::relative(full, m_root).generic_string();
            any = true;
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                if (auto r = watch_tree(full, &changes); !r)
                    return std::unexpected(r.error());
            } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
                note(changes, rel, ChangeKind::removed);
            } else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
                note(changes, rel, ChangeKind::added);
            } else if (!(ev->mask & IN_ISDIR)) {
                note(changes, rel, ChangeKind::changed);
            }
        }
    }
    return any;
}

Result<std::map<std::string, ChangeKind>> DirWatch::next(std::chrono::milliseconds quiet,
                                                         const std::function<bool()>& stop) {
    std::map<std::string, ChangeKind> changes;
    bool seen = false;
    while (!(stop && stop())) {
        auto got = read_events(changes, seen ? int(quiet.count()) : 100);
        if (!got)
            return std::unexpected(got.error());
        if (*got)
            seen = true;
        else if (seen && !changes.empty())
            return changes; // quiet for `quiet` after the last event
        else if (seen)
            seen = false; // only scratch files or an add+remove: keep waiting
    }
    return std::map<std::string, ChangeKind>{};
}

} // namespace mpyship
