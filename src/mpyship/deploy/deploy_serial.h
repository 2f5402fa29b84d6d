// `deploy --port DEV` as one call: load the build, open the port, enter the raw REPL, probe the device and
// gate on compatibility, snapshot its files (sizes + SHA-256 in one round trip), plan with the same
// planner as the drive deploy, then (unless dry-run) act in the drive deploy's order — widened record,
// folders, ordinary files, removals, entry points, final record — and leave the board in the friendly
// REPL (soft-reset first with `reset`). Each file is checked on the device before it replaces the old one.
#pragma once

#include "mpyship/deploy/compat_gate.h"
#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/device_files.h"
#include "mpyship/deploy/device_probe.h"
#include "mpyship/deploy/drive_sync.h"
#include "mpyship/serial/raw_repl.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace mpyship::deploy {

struct SerialDeployOptions {
    std::string port;
    unsigned baud = 115200;
    std::filesystem::path build_dir; // holds manifest.json and mpy/
    PlanOptions plan;
    bool dry_run = false;
    bool force = false; // past the compatibility gate
    bool reset = false; // soft-reset the board at the end
    std::string generator;
    Encoding encoding = Encoding::automatic;
    std::size_t command_budget = 4096; // bytes of Python per raw-REPL command while transferring
    serial::RawReplTimeouts timeouts;
    std::function<void(const Action&)> on_action;
    std::function<void(std::uint64_t done, std::uint64_t total)> on_progress; // file bytes
};

struct SerialSyncReport {
    std::size_t written = 0, removed = 0, mkdirs = 0, rmdirs = 0;
    std::uint64_t bytes_written = 0; // file bytes
    bool record_written = false;
    TransferStats transfer;
};

struct SerialDeployReport {
    DeviceInfo device;
    BuildFormat format;
    DeployPlan plan;
    SerialSyncReport sync;
    serial::PasteMode paste_mode = serial::PasteMode::unknown;
    bool content_checked = true;  // false when the device has no hashlib.sha256: sizes compared only
    std::uint64_t link_bytes = 0; // everything sent to the device, protocol included
    double seconds = 0;           // from opening the port to leaving the raw REPL
    bool dry_run = false;
    std::vector<std::string> warnings;
};

Result<SerialDeployReport> deploy_over_serial(const SerialDeployOptions& options);

} // namespace mpyship::deploy
