#include "mpyship/deploy/deploy_inputs.h"

#include "mpyship/deploy/drive_names.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <set>

namespace mpyship::deploy {

namespace fs = std::filesystem;

Result<project::Manifest> load_build(const fs::path& build_dir) {
    std::error_code ec;
    fs::path manifest = build_dir / project::k_manifest_file;
    if (!fs::is_regular_file(manifest, ec))
        return fail("no build found (run `mpyship build` first)", manifest.string(), ENOENT);
    return release::load_manifest(manifest);
}

DeployRecord new_record(const project::Manifest& manifest, const DeployPlan& plan,
                        const std::string& generator) {
    DeployRecord r{generator, manifest.version, {}};
    for (const auto& f : manifest.files) {
        bool skipped =
            std::any_of(plan.skipped.begin(), plan.skipped.end(), [&](auto& s) { return s.path == f.path; });
        if (!skipped)
            r.files.push_back({f.path});
    }
    return r;
}

// The final record: the build's files plus earlier entries that stay on the drive (not removed now), so
// files written by an earlier deploy stay known to a later --delete.
DeployRecord final_record(const std::optional<DeployRecord>& old, DeployRecord fresh,
                          const DeviceTree& device, const DeployPlan& plan) {
    if (!old)
        return fresh;
    std::set<std::string> removed;
    for (const auto* list : {&plan.early_removals, &plan.removals})
        for (const auto& r : *list)
            removed.insert(fat_fold(r.path));
    DeployRecord staying{fresh.generator, fresh.version, {}};
    for (const auto& f : old->files)
        if (device.find_file(f.path) && !removed.contains(fat_fold(f.path)))
            staying.files.push_back(f);
    return merge_records(staying, fresh);
}

// The widened record goes first when it adds paths; the final one when it differs from what is there.
Records plan_records(const std::optional<DeployRecord>& old, const DeployRecord& fresh) {
    Records out;
    DeployRecord empty;
    const DeployRecord& current = old ? *old : empty;
    DeployRecord widened = merge_records(current, fresh);
    if (widened.files != current.files)
        out.before = widened;
    const DeployRecord& after_before = out.before ? *out.before : current;
    if (fresh.files != after_before.files)
        out.after = fresh;
    for (const auto* r : {&out.before, &out.after})
        if (*r)
            out.bytes = std::max<std::uint64_t>(out.bytes, record_to_json(**r).size());
    return out;
}

Result<std::map<std::string, Bytes>> load_contents(const fs::path& mpy_dir, const DeployPlan& plan) {
    std::map<std::string, Bytes> out;
    for (const auto& w : plan.writes) {
        auto bytes = read_file(mpy_dir / w.path);
        if (!bytes)
            return std::unexpected(bytes.error());
        if (bytes->size() != w.size || sha256_hex(*bytes) != w.sha256)
            return fail("does not match build/manifest.json (run `mpyship build` again)",
                        (mpy_dir / w.path).string());
        out.emplace(w.path, std::move(*bytes));
    }
    return out;
}

} // namespace mpyship::deploy
