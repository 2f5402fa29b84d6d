// Carries out a DeployPlan on a mounted drive, in an order that keeps the board runnable at every moment:
// (1) the widened record, (1b) removals moved first to make room (files no longer in the build), (2) folders,
// (3) ordinary files, (4) removals of shadowing/stale files and emptied folders, (5) entry points (code.py
// last), (6) syncfs, (7) read-back of every written file (page cache dropped first) against its SHA-256, (8)
// the final record. Stops at the first error.
#pragma once

#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/deploy_record.h"
#include "mpyship/deploy/safe_write.h"
#include "mpyship/util/file_io.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mpyship::deploy {

// One line of output: "write", "update", "remove", "mkdir", "rmdir", "record".
struct Action {
    std::string verb;
    std::string path;
    std::string detail;
};

// "write" (new) or "update" (replaces a file of the given old size).
Action write_action(const PlannedWrite& w);

// The actions of a plan in execution order (what --dry-run prints and what the sync reports).
std::vector<Action> plan_actions(const DeployPlan& plan);

struct SyncInput {
    const DeployPlan* plan = nullptr;
    const std::map<std::string, Bytes>* contents = nullptr; // build bytes of every planned write
    std::optional<DeployRecord> record_before;              // written first when set
    std::optional<DeployRecord> record_after;               // written last when set
    StepHook hook;
    std::function<void(const Action&)> on_action; // after each action completes
};

struct SyncReport {
    std::size_t written = 0, removed = 0, mkdirs = 0, rmdirs = 0, verified = 0;
    std::uint64_t bytes_written = 0;
    bool record_written = false;
};

Result<SyncReport> sync_drive(const std::filesystem::path& root, const SyncInput& input);

} // namespace mpyship::deploy
