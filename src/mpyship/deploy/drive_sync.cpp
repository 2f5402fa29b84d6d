#include "mpyship/deploy/drive_sync.h"

#include "mpyship/util/sha256.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

// Reads a file back from the device, not the page cache, and compares its hash.
Result<void> read_back(const fs::path& root, const PlannedWrite& w) {
    fs::path path = root / w.path;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail("cannot read back: " + std::string(std::strerror(errno)), path.string(), errno);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    auto bytes = read_stream_to_end(fd, path.string());
    ::close(fd);
    if (!bytes)
        return std::unexpected(bytes.error());
    if (bytes->size() != w.size || sha256_hex(*bytes) != w.sha256)
        return fail("read back differs from what was written (drive failing or written by something else?)",
                    path.string());
    return {};
}

class Sync {
  public:
    Sync(const fs::path& root, const SyncInput& input) : m_root(root), m_in(input), m_plan(*input.plan) {}

    Result<SyncReport> run() {
        if (auto r = remove_leftovers(); !r)
            return std::unexpected(r.error());
        if (auto r = record(m_in.record_before); !r)
            return std::unexpected(r.error());
        using Stage = Result<void> (Sync::*)();
        for (Stage stage : {&Sync::early_removals, &Sync::make_dirs, &Sync::ordinary_writes, &Sync::removals,
                            &Sync::entry_writes, &Sync::flush, &Sync::verify})
            if (auto r = (this->*stage)(); !r)
                return std::unexpected(r.error());
        if (auto r = record(m_in.record_after); !r)
            return std::unexpected(r.error());
        return m_report;
    }

  private:
    void done(Action a) {
        if (m_in.on_action)
            m_in.on_action(a);
    }

    Result<void> record(const std::optional<DeployRecord>& rec) {
        if (!rec)
            return {};
        if (auto r = write_record(m_root, *rec, m_in.hook); !r)
            return r;
        m_report.record_written = true;
        return {};
    }

    Result<void> make_dirs() {
        for (const auto& dir : m_plan.mkdirs) {
            step(m_in.hook, "mkdir", dir);
            if (::mkdir((m_root / dir).c_str(), 0755) != 0 && errno != EEXIST)
                return fail("cannot create folder: " + std::string(std::strerror(errno)),
                            (m_root / dir).string(), errno);
            ++m_report.mkdirs;
            done({"mkdir", dir, ""});
        }
        return {};
    }

    Result<void> write_range(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            const PlannedWrite& w = m_plan.writes[i];
            const Bytes& data = m_in.contents->at(w.path);
            if (auto r = safe_write(m_root, w.path, data, m_in.hook); !r)
                return r;
            ++m_report.written;
            m_report.bytes_written += data.size();
            done(write_action(w));
        }
        return {};
    }

    Result<void> ordinary_writes() { return write_range(0, m_plan.first_entry_write); }
    Result<void> entry_writes() { return write_range(m_plan.first_entry_write, m_plan.writes.size()); }

    Result<void> remove_files(const std::vector<PlannedRemoval>& list) {
        for (const auto& r : list) {
            step(m_in.hook, "remove", r.path);
            if (::unlink((m_root / r.path).c_str()) != 0 && errno != ENOENT)
                return fail("cannot remove: " + std::string(std::strerror(errno)), (m_root / r.path).string(),
                            errno);
            ++m_report.removed;
            done({"remove", r.path, r.detail});
        }
        return {};
    }

    // Before any write: a leftover may carry the temporary name the next write uses.
    Result<void> remove_leftovers() { return remove_files(m_plan.leftovers); }
    // Files no longer in the build, when the plan needs their room (fit_to_space).
    Result<void> early_removals() { return remove_files(m_plan.early_removals); }

    Result<void> removals() {
        if (auto r = remove_files(m_plan.removals); !r)
            return r;
        for (const auto& dir : m_plan.rmdirs) {
            step(m_in.hook, "rmdir", dir);
            if (::rmdir((m_root / dir).c_str()) != 0 && errno != ENOENT)
                return fail("cannot remove folder: " + std::string(std::strerror(errno)),
                            (m_root / dir).string(), errno);
            ++m_report.rmdirs;
            done({"rmdir", dir, "emptied"});
        }
        return {};
    }

    Result<void> flush() {
        int fd = ::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || ::syncfs(fd) != 0) {
            int e = errno;
            if (fd >= 0)
                ::close(fd);
            return fail("cannot sync the drive: " + std::string(std::strerror(e)), m_root.string(), e);
        }
        ::close(fd);
        return {};
    }

    Result<void> verify() {
        for (const auto& w : m_plan.writes) {
            if (auto r = read_back(m_root, w); !r)
                return r;
            ++m_report.verified;
        }
        return {};
    }

    const fs::path& m_root;
    const SyncInput& m_in;
    const DeployPlan& m_plan;
    SyncReport m_report;
};

} // namespace

Action write_action(const PlannedWrite& w) {
    std::string size = std::to_string(w.size) + " bytes";
    return w.old_size ? Action{"update", w.path, size + ", was " + std::to_string(*w.old_size)}
                      : Action{"write", w.path, size + ", new"};
}

std::vector<Action> plan_actions(const DeployPlan& plan) {
    std::vector<Action> out;
    for (const auto* list : {&plan.leftovers, &plan.early_removals})
        for (const auto& r : *list)
            out.push_back({"remove", r.path, r.detail});
    for (const auto& dir : plan.mkdirs)
        out.push_back({"mkdir", dir, ""});
    for (std::size_t i = 0; i < plan.first_entry_write; ++i)
        out.push_back(write_action(plan.writes[i]));
    for (const auto& r : plan.removals)
        out.push_back({"remove", r.path, r.detail});
    for (const auto& dir : plan.rmdirs)
        out.push_back({"rmdir", dir, "emptied"});
    for (std::size_t i = plan.first_entry_write; i < plan.writes.size(); ++i)
        out.push_back(write_action(plan.writes[i]));
    return out;
}

Result<SyncReport> sync_drive(const fs::path& root, const SyncInput& input) {
    return Sync(root, input).run();
}

} // namespace mpyship::deploy
