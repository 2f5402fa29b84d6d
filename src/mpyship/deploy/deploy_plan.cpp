#include "mpyship/deploy/deploy_plan.h"

#include "mpyship/deploy/deploy_record.h"
#include "mpyship/deploy/drive_names.h"
#include "mpyship/deploy/drive_rules.h"
#include "mpyship/deploy/module_shadow.h"
#include "mpyship/deploy/safe_write.h"

#include <algorithm>
#include <map>
#include <set>

namespace mpyship::deploy {
namespace {

std::vector<std::string> parents_of(std::string_view path) {
    std::vector<std::string> out;
    for (auto slash = path.find('/'); slash != path.npos; slash = path.find('/', slash + 1))
        out.emplace_back(path.substr(0, slash));
    return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines)
        out += "\n  " + l;
    return out;
}

std::vector<std::string> collisions(const project::Manifest& manifest, const DeviceTree& device) {
    std::vector<std::string> out;
    for (const auto& f : manifest.files) {
        if (device.has_dir(f.path))
            out.push_back(f.path + ": the drive has a folder of that name");
        for (const auto& dir : parents_of(f.path))
            if (const DeviceFile* file = device.find_file(dir))
                out.push_back(f.path + ": the drive has a file " + file->path +
                              " where the build has a folder");
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<void> check_build_paths(const project::Manifest& manifest, const DeviceTree& device) {
    std::vector<std::string> paths;
    for (const auto& f : manifest.files)
        paths.push_back(f.path);
    if (auto bad = unstorable_names(paths); !bad.empty())
        return fail("the drive cannot hold these names (rename them in src/):" + join_lines(bad));
    if (auto bad = collisions(manifest, device); !bad.empty())
        return fail("files and folders collide with the drive's (move them away first):" + join_lines(bad));
    paths.push_back(k_record_path);
    std::set<std::string> links;
    for (const auto& p : paths)
        if (auto link = device.link_on_path(p))
            links.insert(*link);
    if (!links.empty())
        return fail("the drive has symbolic links where the build writes; mpyship never writes through a link "
                    "(remove them first):" +
                    join_lines({links.begin(), links.end()}));
    return {};
}

class Planner {
  public:
    Planner(const project::Manifest& manifest, const DeviceTree& device, const PlanOptions& options)
        : m_manifest(manifest), m_device(device), m_options(options) {
        for (const auto& f : manifest.files)
            m_build.insert(fat_fold(f.path));
    }

    void plan_writes() {
        for (const auto& f : m_manifest.files) {
            if (auto why = protection_reason(f.path, m_options.keep); !why.empty()) {
                m_plan.skipped.push_back({f.path, "not written: " + why});
                continue;
            }
            const DeviceFile* old = m_device.find_file(f.path);
            if (old && old->size == f.size && old->sha256 == f.sha256)
                ++m_plan.unchanged;
            else
                m_plan.writes.push_back(
                    {f.path, f.size, f.sha256, old ? std::optional(old->size) : std::nullopt});
        }
        order_writes();
        plan_mkdirs();
    }

    void plan_removals(const std::optional<DeployRecord>& record) {
        plan_shadows();
        for (const auto& [key, file] : m_device.files)
            if (is_temp_name(file.path))
                remove(file, RemoveReason::leftover, "left by an interrupted deploy");
        if (m_options.delete_mode == DeleteMode::recorded && record)
            plan_recorded(*record);
        if (m_options.delete_mode == DeleteMode::all)
            plan_all();
        plan_rmdirs();
    }

    DeployPlan finish() {
        std::sort(m_plan.removals.begin(), m_plan.removals.end(),
                  [](auto& a, auto& b) { return a.path < b.path; });
        return std::move(m_plan);
    }

  private:
    void order_writes() {
        auto rank = [&](const PlannedWrite& w) { return write_rank(w.path, m_options.entry_points); };
        std::stable_sort(m_plan.writes.begin(), m_plan.writes.end(),
                         [&](auto& a, auto& b) { return rank(a) < rank(b); });
        auto first =
            std::find_if(m_plan.writes.begin(), m_plan.writes.end(), [&](auto& w) { return rank(w) > 0; });
        m_plan.first_entry_write = std::size_t(first - m_plan.writes.begin());
    }

    void plan_mkdirs() {
        std::set<std::string> dirs;
        for (const auto& w : m_plan.writes)
            for (auto& dir : parents_of(w.path))
                if (!m_device.has_dir(dir))
                    dirs.insert(dir);
        m_plan.mkdirs.assign(dirs.begin(), dirs.end());
    }

    void plan_shadows() {
        std::vector<std::string> paths;
        for (const auto& f : m_manifest.files)
            paths.push_back(f.path);
        ShadowFindings found = find_shadows(paths, m_device);
        for (const auto& s : found.files)
            remove(*m_device.find_file(s.path), RemoveReason::shadow, s.detail);
        for (auto& note : found.notes)
            m_plan.skipped.push_back({"", note});
        for (auto& dir : found.packages)
            m_emptied.insert(fat_fold(dir));
    }

    void plan_recorded(const DeployRecord& record) {
        for (const auto& r : record.files)
            if (const DeviceFile* f = m_device.find_file(r.path); f && !m_build.contains(fat_fold(r.path)))
                remove(*f, RemoveReason::recorded, "deployed earlier, no longer in the build");
    }

    void plan_all() {
        for (const auto& [key, file] : m_device.files)
            if (!m_build.contains(key))
                remove(file, RemoveReason::not_in_build, "not in the build (--delete=all)");
    }

    void remove(const DeviceFile& file, RemoveReason reason, std::string detail) {
        std::string key = fat_fold(file.path);
        if (m_removed.contains(key))
            return;
        auto why =
            reason == RemoveReason::leftover ? std::string() : protection_reason(file.path, m_options.keep);
        if (!why.empty()) {
            if (reason != RemoveReason::not_in_build)
                m_plan.skipped.push_back({file.path, "not removed: " + why});
            return;
        }
        m_removed.insert(key);
        auto& list = reason == RemoveReason::leftover ? m_plan.leftovers : m_plan.removals;
        list.push_back({file.path, file.size, reason, std::move(detail)});
        for (auto& dir : parents_of(key))
            m_emptied.insert(dir);
    }

    // A folder goes when nothing stays inside it: no surviving file or folder, no build file. Folders are
    // visited deepest first, so a kept child marks its parents busy before they are visited.
    void plan_rmdirs() {
        std::set<std::string> busy;
        auto mark_parents = [&](const std::string& key) {
            for (auto& dir : parents_of(key))
                busy.insert(dir);
        };
        for (const auto& [key, file] : m_device.files)
            if (!m_removed.contains(key))
                mark_parents(key);
        for (const auto& key : m_build)
            mark_parents(key);
        for (const auto& key : m_device.unexplored) { // its content is unknown: keep it and its parents
            busy.insert(key);
            mark_parents(key);
        }
        for (auto it = m_device.dirs.rbegin(); it != m_device.dirs.rend(); ++it) {
            bool wanted = m_emptied.contains(it->first) || m_options.delete_mode == DeleteMode::all;
            if (wanted && !busy.contains(it->first) && protection_reason(it->second, m_options.keep).empty())
                m_plan.rmdirs.push_back(it->second);
            else
                mark_parents(it->first);
        }
    }

    const project::Manifest& m_manifest;
    const DeviceTree& m_device;
    const PlanOptions& m_options;
    std::set<std::string> m_build;   // folded build paths
    std::set<std::string> m_removed; // folded device paths planned for removal
    std::set<std::string> m_emptied; // folded folders that lose a file
    DeployPlan m_plan;
};

} // namespace

std::string_view remove_reason_name(RemoveReason reason) {
    switch (reason) {
    case RemoveReason::shadow:
        return "shadow";
    case RemoveReason::leftover:
        return "leftover";
    case RemoveReason::recorded:
        return "recorded";
    case RemoveReason::not_in_build:
        return "not-in-build";
    }
    return "?";
}

bool needs_hash(const project::Manifest& manifest, const DeviceFile& file) {
    auto key = fat_fold(file.path);
    auto it =
        std::lower_bound(manifest.files.begin(), manifest.files.end(), file.path,
                         [](const project::ManifestFile& f, const std::string& p) { return f.path < p; });
    if (it != manifest.files.end() && fat_fold(it->path) == key)
        return it->size == file.size;
    return std::any_of(manifest.files.begin(), manifest.files.end(),
                       [&](auto& f) { return f.size == file.size && fat_fold(f.path) == key; });
}

Result<DeployPlan> make_plan(const project::Manifest& manifest, const DeviceTree& device,
                             const std::optional<DeployRecord>& record, const PlanOptions& options) {
    if (auto ok = check_build_paths(manifest, device); !ok)
        return std::unexpected(ok.error());
    Planner planner(manifest, device, options);
    planner.plan_writes();
    planner.plan_removals(record);
    return planner.finish();
}

} // namespace mpyship::deploy
