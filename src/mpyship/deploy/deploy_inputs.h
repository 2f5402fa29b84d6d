// What every deploy (drive or serial) needs besides its target: the build (manifest, the bytes of the files
// a plan writes, checked against the manifest) and the deploy records written before and after acting
// (widened to old ∪ new first, so a deploy killed midway still records everything it may have written).
#pragma once

#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/deploy_record.h"
#include "mpyship/project/manifest.h"
#include "mpyship/util/file_io.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace mpyship::deploy {

struct Records {
    // The record to write before acting, the one after, and the larger one's size.
    std::optional<DeployRecord> before, after;
    std::uint64_t bytes = 0;
};

// build/manifest.json, or "no build found (run `mpyship build` first)".
Result<project::Manifest> load_build(const std::filesystem::path& build_dir);

// The build's files minus those the plan skips (protected paths).
DeployRecord new_record(const project::Manifest& manifest, const DeployPlan& plan,
                        const std::string& generator);

// The build's files plus earlier entries that stay on the device (not removed now).
DeployRecord final_record(const std::optional<DeployRecord>& old, DeployRecord fresh,
                          const DeviceTree& device, const DeployPlan& plan);

// The widened record goes first when it adds paths; the final one when it differs from what is there.
Records plan_records(const std::optional<DeployRecord>& old, const DeployRecord& fresh);

// The bytes of every planned write, each checked against the manifest's size and SHA-256.
Result<std::map<std::string, Bytes>> load_contents(const std::filesystem::path& mpy_dir,
                                                   const DeployPlan& plan);

} // namespace mpyship::deploy
