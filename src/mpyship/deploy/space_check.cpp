#include "mpyship/deploy/space_check.h"

#include <algorithm>
#include <cerrno>
#include <set>
#include <sys/stat.h>
#include <sys/statvfs.h>

namespace mpyship::deploy {
namespace {

// Replays allocations; `used` may go negative when files are freed.
class Ledger {
  public:
    explicit Ledger(std::uint64_t cluster) : m_cluster(cluster) {}
    void allocate(std::uint64_t bytes) {
        m_used += std::int64_t(round_to_cluster(bytes, m_cluster));
        m_peak = std::max(m_peak, m_used);
    }
    void release(std::uint64_t bytes) { m_used -= std::int64_t(round_to_cluster(bytes, m_cluster)); }
    void allocate_clusters(std::uint64_t n) { allocate(n * m_cluster); }
    std::uint64_t peak() const { return std::uint64_t(m_peak); }

  private:
    std::uint64_t m_cluster;
    std::int64_t m_used = 0;
    std::int64_t m_peak = 0;
};

void replay_writes(Ledger& ledger, const DeployPlan& plan, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        ledger.allocate(plan.writes[i].size);
        if (plan.writes[i].old_size)
            ledger.release(*plan.writes[i].old_size);
    }
}

std::uint64_t growing_folders(const DeployPlan& plan) {
    std::set<std::string> dirs;
    for (const auto& w : plan.writes)
        if (!w.old_size)
            dirs.insert(w.path.substr(0, w.path.rfind('/') == w.path.npos ? 0 : w.path.rfind('/')));
    return dirs.size();
}

} // namespace

std::uint64_t round_to_cluster(std::uint64_t size, std::uint64_t cluster) {
    return cluster == 0 ? size : (size + cluster - 1) / cluster * cluster;
}

Result<DriveSpace> read_drive_space(const std::filesystem::path& root) {
    struct statvfs vfs {};
    if (::statvfs(root.c_str(), &vfs) != 0)
        return fail("cannot read free space", root.string(), errno);
    struct stat st {};
    std::uint64_t blksize = ::stat(root.c_str(), &st) == 0 ? std::uint64_t(st.st_blksize) : 0;
    DriveSpace space;
    space.free_bytes = std::uint64_t(vfs.f_bavail) * std::uint64_t(vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize);
    space.cluster = std::max<std::uint64_t>({std::uint64_t(vfs.f_bsize), blksize, 512});
    return space;
}

SpaceCheck check_space(const DeployPlan& plan, const DriveSpace& space, std::uint64_t record_bytes) {
    Ledger ledger(space.cluster);
    ledger.allocate_clusters(plan.mkdirs.size() + growing_folders(plan));
    for (const auto& r : plan.leftovers)
        ledger.release(r.size);
    for (const auto& r : plan.early_removals)
        ledger.release(r.size);
    ledger.allocate(record_bytes); // the widened record, written before any other file
    replay_writes(ledger, plan, 0, plan.first_entry_write);
    for (const auto& r : plan.removals)
        ledger.release(r.size);
    replay_writes(ledger, plan, plan.first_entry_write, plan.writes.size());
    ledger.allocate(record_bytes); // the final record's temporary copy
    SpaceCheck check{space.free_bytes, space.cluster, ledger.peak(), 0};
    check.missing = check.peak_bytes > space.free_bytes ? check.peak_bytes - space.free_bytes : 0;
    return check;
}

SpaceCheck fit_to_space(DeployPlan& plan, const DriveSpace& space, std::uint64_t record_bytes) {
    SpaceCheck as_planned = check_space(plan, space, record_bytes);
    if (as_planned.fits())
        return as_planned;
    DeployPlan roomy = plan;
    auto early =
        std::stable_partition(roomy.removals.begin(), roomy.removals.end(), [](const PlannedRemoval& r) {
            return r.reason == RemoveReason::recorded || r.reason == RemoveReason::not_in_build;
        });
    for (auto it = roomy.removals.begin(); it != early; ++it) {
        it->detail += it->detail.empty() ? "first, to make room" : "; first, to make room";
        roomy.early_removals.push_back(*it);
    }
    roomy.removals.erase(roomy.removals.begin(), early);
    auto growth = [&](const PlannedWrite& w) {
        return std::int64_t(round_to_cluster(w.size, space.cluster)) -
               std::int64_t(w.old_size ? round_to_cluster(*w.old_size, space.cluster) : 0);
    };
    std::stable_sort(roomy.writes.begin(), roomy.writes.begin() + std::ptrdiff_t(roomy.first_entry_write),
                     [&](const PlannedWrite& a, const PlannedWrite& b) { return growth(a) < growth(b); });
    SpaceCheck reordered = check_space(roomy, space, record_bytes);
    if (!reordered.fits())
        return as_planned;
    plan = std::move(roomy);
    return reordered;
}

} // namespace mpyship::deploy
