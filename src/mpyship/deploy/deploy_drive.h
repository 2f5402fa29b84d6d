// `deploy --to PATH` as one call: load the build, probe the drive, gate on compatibility, snapshot and
// hash the drive, plan, check space, then (unless dry-run) sync. Everything that can refuse the deploy —
// a missing build, a bad drive, a wrong runtime, unstorable names, too little space, a build that no
// longer matches its manifest — is checked before the first byte is written.
#pragma once

#include "mpyship/deploy/compat_gate.h"
#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/drive_probe.h"
#include "mpyship/deploy/drive_sync.h"
#include "mpyship/deploy/space_check.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace mpyship::deploy {

struct DriveDeployOptions {
    std::filesystem::path drive;
    std::filesystem::path build_dir; // holds manifest.json and mpy/
    PlanOptions plan;
    bool dry_run = false;
    bool force = false;    // deploy to a folder without boot_out.txt, or past the compatibility gate
    std::string generator; // written into the record, e.g. "mpyship 0.1.0"
    StepHook hook;         // before each change to the drive (fault injection in tests)
    std::function<void(const Action&)> on_action;
};

struct DriveDeployReport {
    DriveInfo drive;
    BuildFormat format;
    DeployPlan plan;
    SpaceCheck space;
    SyncReport sync;
    bool dry_run = false;
    std::vector<std::string> warnings; // gate problems passed with --force, an unreadable record
};

Result<DriveDeployReport> deploy_to_drive(const DriveDeployOptions& options);

} // namespace mpyship::deploy
