// The plan of a deploy, computed before anything is written: which build files to write (new or changed
// by size, then SHA-256 — never by timestamp), which folders to create, which device files to remove
// (shadowing modules, leftovers of interrupted deploys, and with --delete files no longer in the build)
// and what is left alone. Pure: it reads a DeviceTree snapshot, so it is the same for drive and serial.
#pragma once

#include "mpyship/deploy/deploy_record.h"
#include "mpyship/deploy/drive_tree.h"
#include "mpyship/project/manifest.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::deploy {

enum class DeleteMode { none, recorded, all };

struct PlanOptions {
    DeleteMode delete_mode = DeleteMode::none;
    std::vector<std::string> keep;         // globs: never written, never removed
    std::vector<std::string> entry_points; // extra root-level names written last (the config's)
};

struct PlannedWrite {
    std::string path; // as in the manifest
    std::uint64_t size = 0;
    std::string sha256;
    std::optional<std::uint64_t> old_size; // set when the write replaces a device file
};

enum class RemoveReason { shadow, leftover, recorded, not_in_build };
std::string_view remove_reason_name(RemoveReason reason);

struct PlannedRemoval {
    std::string path; // as spelled on the device
    std::uint64_t size = 0;
    RemoveReason reason = RemoveReason::shadow;
    std::string detail;
};

struct Skipped {
    std::string path;
    std::string reason;
};

struct DeployPlan {
    std::vector<std::string> mkdirs;       // parents first
    std::vector<PlannedWrite> writes;      // in write order; entry points from `first_entry_write` on
    std::size_t first_entry_write = 0;     // removals run before this write
    std::vector<PlannedRemoval> leftovers; // temporary files of an interrupted deploy, removed first
    std::vector<PlannedRemoval>
        early_removals; // files no longer in the build, removed before the writes to make
                        // room (only when the plan would not fit otherwise; see space_check.h)
    std::vector<PlannedRemoval> removals; // sorted by path
    std::vector<std::string> rmdirs;      // emptied folders, deepest first
    std::vector<Skipped> skipped;         // protected paths and notes
    std::size_t unchanged = 0;
    std::size_t removal_count() const { return leftovers.size() + early_removals.size() + removals.size(); }
    bool changes_nothing() const {
        return mkdirs.empty() && writes.empty() && leftovers.empty() && early_removals.empty() &&
               removals.empty() && rmdirs.empty();
    }
};

// Which device files the planner needs hashed: those at a build path with the build's size.
bool needs_hash(const project::Manifest& manifest, const DeviceFile& file);

// Fails (naming every path) when build names cannot live on FAT, or a folder and a file collide.
Result<DeployPlan> make_plan(const project::Manifest& manifest, const DeviceTree& device,
                             const std::optional<DeployRecord>& record, const PlanOptions& options);

} // namespace mpyship::deploy
