#include "mpyship/deploy/deploy_drive.h"

#include "mpyship/deploy/deploy_inputs.h"
#include "mpyship/deploy/drive_names.h"
#include "mpyship/deploy/fat_root.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/sha256.h"

#include <set>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

Result<void> gate(const DriveDeployOptions& o, DriveDeployReport& report) {
    if (!report.drive.is_board_drive() && !o.force)
        return fail("not a board drive: no boot_out.txt (CircuitPython) or pybcdc.inf (MicroPython); --force "
                    "deploys to a plain folder",
                    o.drive.string());
    auto problem = compatibility_problem(report.drive, report.format);
    if (problem && !o.force)
        return fail("refusing to deploy: " + *problem, o.drive.string());
    if (problem)
        report.warnings.push_back("deploying despite: " + *problem);
    return {};
}

Result<DeviceTree> snapshot(const fs::path& drive, const project::Manifest& manifest) {
    auto tree = scan_drive(drive);
    if (!tree)
        return tree;
    auto hashed = hash_files(
        *tree, [&](const DeviceFile& f) { return needs_hash(manifest, f); },
        [&](const std::string& path) { return hash_drive_file(drive, path); });
    if (!hashed)
        return std::unexpected(hashed.error());
    return tree;
}

Result<std::optional<DeployRecord>> old_record(const DriveDeployOptions& o, DriveDeployReport& report) {
    auto record = read_record(o.drive);
    if (record || o.plan.delete_mode != DeleteMode::none)
        return record;
    report.warnings.push_back("ignoring the deploy record: " + record.error().to_string());
    return std::optional<DeployRecord>{};
}

std::string space_message(const SpaceCheck& s) {
    return "not enough space: the deploy needs " + std::to_string(s.missing) + " more bytes (peak " +
           std::to_string(s.peak_bytes) + " bytes in " + std::to_string(s.cluster) + "-byte clusters, " +
           std::to_string(s.free_bytes) + " free); nothing was written";
}

std::string root_entries_message(const RootEntries& r) {
    return "the drive's root folder is full: FAT12/16 keeps it in a fixed table of " +
           std::to_string(r.capacity) + " entries, " + std::to_string(r.in_use) +
           " are in use and the deploy needs up to " + std::to_string(r.peak) +
           " (a long name takes one entry per 13 characters, plus one). Move files into a folder in src/ (folders "
           "grow as needed) or shorten their names; nothing was written";
}

class Deployer {
  public:
    explicit Deployer(const DriveDeployOptions& o) : m_o(o) { m_report.dry_run = o.dry_run; }

    Result<DriveDeployReport> run() {
        using Stage = Result<void> (Deployer::*)();
        for (Stage stage : {&Deployer::inspect, &Deployer::plan, &Deployer::prepare, &Deployer::act})
            if (auto r = (this->*stage)(); !r)
                return std::unexpected(r.error());
        return std::move(m_report);
    }

  private:
    Result<void> inspect() {
        auto manifest = load_build(m_o.build_dir);
        auto drive = manifest ? probe_drive(m_o.drive) : Result<DriveInfo>(std::unexpected(manifest.error()));
        if (!drive)
            return std::unexpected(drive.error());
        m_manifest = std::move(*manifest);
        m_report.drive = std::move(*drive);
        auto format = read_build_format(m_o.build_dir / "mpy", m_manifest);
        if (!format)
            return std::unexpected(format.error());
        m_report.format = *format;
        return gate(m_o, m_report);
    }

    Result<void> plan() {
        auto tree = snapshot(m_o.drive, m_manifest);
        auto record = tree ? old_record(m_o, m_report) : std::unexpected(tree.error());
        if (!record)
            return std::unexpected(record.error());
        auto plan = make_plan(m_manifest, *tree, *record, m_o.plan);
        if (!plan)
            return std::unexpected(plan.error());
        m_report.plan = std::move(*plan);
        DeployRecord fresh = new_record(m_manifest, m_report.plan, m_o.generator);
        m_records = plan_records(*record, final_record(*record, std::move(fresh), *tree, m_report.plan));
        m_tree = std::move(*tree);
        return {};
    }

    Result<void> prepare() {
        auto space = read_drive_space(m_o.drive);
        if (!space)
            return std::unexpected(space.error());
        m_report.space = fit_to_space(m_report.plan, *space, m_records.bytes);
        if (!m_report.space.fits() && !m_o.dry_run)
            return fail(space_message(m_report.space), m_o.drive.string(), ENOSPC);
        if (auto capacity = fat_root_capacity(m_o.drive)) {
            auto entries = count_root_entries(m_report.plan, m_tree, *capacity);
            if (!entries.fits())
                return fail(root_entries_message(entries), m_o.drive.string(), ENOSPC);
        }
        auto contents = load_contents(m_o.build_dir / "mpy", m_report.plan);
        if (!contents)
            return std::unexpected(contents.error());
        m_contents = std::move(*contents);
        return {};
    }

    Result<void> act() {
        if (m_o.dry_run)
            return {};
        SyncInput in{&m_report.plan, &m_contents, m_records.before, m_records.after, m_o.hook, m_o.on_action};
        auto sync = sync_drive(m_o.drive, in);
        if (!sync)
            return std::unexpected(sync.error());
        m_report.sync = *sync;
        return {};
    }

    const DriveDeployOptions& m_o;
    DriveDeployReport m_report;
    project::Manifest m_manifest;
    Records m_records;
    DeviceTree m_tree;
    std::map<std::string, Bytes> m_contents;
};

} // namespace

Result<DriveDeployReport> deploy_to_drive(const DriveDeployOptions& options) {
    return Deployer(options).run();
}

} // namespace mpyship::deploy
