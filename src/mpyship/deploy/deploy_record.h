// The drive's record of what mpyship deployed: .mpyship/deployed.json, written atomically. `--delete` removes
// only files an earlier deploy recorded, so libraries installed by other means survive. Before any file
// is written the record is widened to old ∪ new, so a deploy killed midway still records everything it
// may have written; the final record (the new set) is written after everything else.
#pragma once

#include "mpyship/deploy/safe_write.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::deploy {

inline constexpr const char* k_record_dir = ".mpyship";
inline constexpr const char* k_record_path = ".mpyship/deployed.json";
inline constexpr int k_record_format = 1;

// Paths only: a record that does not change when a file's content does keeps a one-file deploy to one write.
struct RecordFile {
    std::string path;
    bool operator==(const RecordFile&) const = default;
};

struct DeployRecord {
    std::string generator;         // e.g. "mpyship 0.1.0"
    std::string version;           // the build's manifest version
    std::vector<RecordFile> files; // sorted by path
    bool operator==(const DeployRecord&) const = default;
};

std::string record_to_json(const DeployRecord& record);
Result<DeployRecord> record_from_json(std::string_view text, const std::string& name);

// Paths of both records (entries of `newer` win), sorted: the record written before a deploy acts.
DeployRecord merge_records(const DeployRecord& older, const DeployRecord& newer);

// nullopt when the drive has no record.
Result<std::optional<DeployRecord>> read_record(const std::filesystem::path& root);
// Creates .mpyship/ when needed and writes the record through safe_write.
Result<void> write_record(const std::filesystem::path& root, const DeployRecord& record,
                          const StepHook& hook);

} // namespace mpyship::deploy
