// Will the plan fit? FAT allocates whole clusters, so every size is rounded up to the cluster, and the plan
// is replayed in execution order: a new file's temporary copy exists next to the old one until the rename,
// so the peak — not the final total — must fit. A new folder takes a cluster, and so may each folder that
// gains names (its directory table can grow). The cluster is the larger of statvfs f_bsize and the root's
// st_blksize (Linux vfat reports it in both; fusefat only in st_blksize).
#pragma once

#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>

namespace mpyship::deploy {

struct DriveSpace {
    std::uint64_t free_bytes = 0;
    std::uint64_t cluster = 512;
};

struct SpaceCheck {
    std::uint64_t free_bytes = 0;
    std::uint64_t cluster = 0;
    std::uint64_t peak_bytes = 0; // most space in use beyond today's at any point of the deploy
    std::uint64_t missing = 0;    // 0 when the plan fits
    bool fits() const { return missing == 0; }
};

Result<DriveSpace> read_drive_space(const std::filesystem::path& root);

std::uint64_t round_to_cluster(std::uint64_t size, std::uint64_t cluster);

// `record_bytes`: the size of the deploy record written at the end (0 when it is not written).
SpaceCheck check_space(const DeployPlan& plan, const DriveSpace& space, std::uint64_t record_bytes);

// When the plan does not fit as it is, makes room first if that is enough: files no longer in the build
// (--delete) are removed before any write, and the ordinary writes run shrinking files first. Shadowing
// removals stay after the writes (the module must never be missing) and entry points stay last. Returns
// the check of the plan as it will run; `plan` is changed only when the new order fits.
SpaceCheck fit_to_space(DeployPlan& plan, const DriveSpace& space, std::uint64_t record_bytes);

} // namespace mpyship::deploy
