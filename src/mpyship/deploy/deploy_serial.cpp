#include "mpyship/deploy/deploy_serial.h"

#include "mpyship/deploy/deploy_inputs.h"
#include "mpyship/deploy/device_snapshot.h"
#include "mpyship/serial/serial_port.h"
#include "mpyship/util/sha256.h"

#include <chrono>
#include <optional>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

Bytes text_bytes(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

class SerialDeployer {
  public:
    explicit SerialDeployer(const SerialDeployOptions& o) : m_o(o) { m_report.dry_run = o.dry_run; }

    Result<SerialDeployReport> run() {
        auto start = std::chrono::steady_clock::now();
        auto manifest = load_build(m_o.build_dir);
        auto port =
            manifest ? serial::SerialPort::open(m_o.port, m_o.baud) : std::unexpected(manifest.error());
        if (!port)
            return std::unexpected(port.error());
        m_manifest = std::move(*manifest);
        serial::RawRepl repl(*port, m_o.timeouts);
        m_repl = &repl;
        auto done = session();
        auto left = finish_session(done.has_value());
        m_report.link_bytes = repl.bytes_sent();
        m_report.paste_mode = repl.paste_mode();
        m_report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!done)
            return std::unexpected(done.error());
        if (!left)
            return std::unexpected(left.error());
        return std::move(m_report);
    }

  private:
    Result<void> session() {
        if (auto r = m_repl->enter(); !r)
            return with_port(r.error());
        using Stage = Result<void> (SerialDeployer::*)();
        for (Stage stage : {&SerialDeployer::inspect, &SerialDeployer::plan, &SerialDeployer::prepare,
                            &SerialDeployer::act})
            if (auto r = (this->*stage)(); !r)
                return r;
        return {};
    }

    // Back to the friendly REPL, after a soft reset when asked. After a failure only Ctrl-B is tried.
    Result<void> finish_session(bool succeeded) {
        if (succeeded && m_o.reset && !m_o.dry_run)
            if (auto r = m_repl->soft_reset(); !r)
                return with_port(r.error());
        auto r = m_repl->leave();
        return succeeded && !r ? with_port(r.error()) : Result<void>{};
    }

    std::unexpected<Error> with_port(const Error& e) const {
        return std::unexpected(Error{e.message, e.path.empty() ? m_o.port : e.path, e.sys_errno});
    }

    Result<std::string> exec(const std::string& code, std::string_view what) {
        auto r = m_repl->exec(code);
        if (!r)
            return with_port(r.error());
        if (!r->err.empty())
            return fail("the device failed " + std::string(what) + ": " + r->err, m_o.port);
        return std::move(r->out);
    }

    Result<void> inspect() {
        auto out = exec(probe_script(), "the probe");
        auto device = out ? parse_probe(*out, m_o.port) : std::unexpected(out.error());
        if (!device)
            return std::unexpected(device.error());
        m_report.device = std::move(*device);
        if (!m_report.device.has_binascii)
            return fail("the device has no binascii.a2b_base64, which the transfer needs", m_o.port);
        auto format = read_build_format(m_o.build_dir / "mpy", m_manifest);
        if (!format)
            return std::unexpected(format.error());
        m_report.format = *format;
        auto problem = device_compatibility_problem(m_report.device, m_report.format);
        if (problem && !m_o.force)
            return fail("refusing to deploy: " + *problem, m_o.port);
        if (problem)
            m_report.warnings.push_back("deploying despite: " + *problem);
        return {};
    }

    Result<std::optional<DeployRecord>> old_record(const DeviceSnapshot& snap) {
        if (!snap.record_json)
            return std::optional<DeployRecord>{};
        auto record = record_from_json(*snap.record_json, m_o.port + ":" + k_record_path);
        if (record)
            return std::optional(std::move(*record));
        if (m_o.plan.delete_mode != DeleteMode::none)
            return std::unexpected(record.error());
        m_report.warnings.push_back("ignoring the deploy record: " + record.error().to_string());
        return std::optional<DeployRecord>{};
    }

    Result<void> plan() {
        bool hash = m_report.device.has_sha256;
        auto out = exec(snapshot_script(m_manifest, hash), "to list its files");
        auto snap = out ? parse_snapshot(*out, m_o.port) : std::unexpected(out.error());
        if (!snap)
            return std::unexpected(snap.error());
        for (const auto& entry : snap->unreadable)
            m_report.warnings.push_back("skipped an entry the device could not read: " + entry);
        if (hash)
            expand_digest_prefixes(snap->tree, m_manifest);
        if (!hash) {
            assume_equal_sizes_match(snap->tree, m_manifest);
            m_report.content_checked = false;
            m_report.warnings.push_back(
                "the device has no hashlib.sha256: files were compared by size only and "
                "their content was not checked");
        }
        auto record = old_record(*snap);
        auto plan =
            record ? make_plan(m_manifest, snap->tree, *record, m_o.plan) : std::unexpected(record.error());
        if (!plan)
            return std::unexpected(plan.error());
        m_report.plan = std::move(*plan);
        m_has_record_dir = snap->tree.has_dir(k_record_dir);
        DeployRecord fresh = new_record(m_manifest, m_report.plan, m_o.generator);
        m_records = plan_records(*record, final_record(*record, std::move(fresh), snap->tree, m_report.plan));
        return {};
    }

    Result<void> prepare() {
        auto contents = load_contents(m_o.build_dir / "mpy", m_report.plan);
        if (!contents)
            return std::unexpected(contents.error());
        m_contents = std::move(*contents);
        return {};
    }

    Result<void> act() {
        if (m_o.dry_run)
            return {};
        DeviceFiles files(*m_repl, m_report.device, m_o.port, m_o.encoding, m_o.command_budget);
        m_files = &files;
        std::uint64_t total = 0;
        for (const auto& w : m_report.plan.writes)
            total += w.size;
        files.on_progress = [&](std::uint64_t done) {
            if (m_o.on_progress)
                m_o.on_progress(std::min(done, total), total);
        };
        using Step = Result<void> (SerialDeployer::*)();
        for (Step step :
             {&SerialDeployer::remove_leftovers, &SerialDeployer::record_before,
              &SerialDeployer::early_removals, &SerialDeployer::make_dirs, &SerialDeployer::ordinary_writes,
              &SerialDeployer::removals, &SerialDeployer::entry_writes, &SerialDeployer::record_after})
            if (auto r = (this->*step)(); !r)
                return r;
        if (auto r = files.flush(); !r)
            return r;
        m_report.sync.transfer = files.stats();
        return {};
    }

    void done(const Action& a) {
        if (m_o.on_action)
            m_o.on_action(a);
    }

    Result<void> remove_list(const std::vector<PlannedRemoval>& list) {
        for (const auto& r : list)
            if (auto q = m_files->remove(r.path,
                                         [this, &r] {
                                             ++m_report.sync.removed;
                                             done({"remove", r.path, r.detail});
                                         });
                !q)
                return q;
        return {};
    }

    Result<void> remove_leftovers() { return remove_list(m_report.plan.leftovers); }
    Result<void> early_removals() { return remove_list(m_report.plan.early_removals); }

    Result<void> make_dirs() {
        for (const auto& dir : m_report.plan.mkdirs)
            if (auto r = m_files->mkdir(dir,
                                        [this, &dir] {
                                            ++m_report.sync.mkdirs;
                                            done({"mkdir", dir, ""});
                                        });
                !r)
                return r;
        return {};
    }

    Result<void> write_range(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            const PlannedWrite& w = m_report.plan.writes[i];
            auto r = m_files->write(w.path, m_contents.at(w.path), w.sha256, [this, &w] {
                ++m_report.sync.written;
                m_report.sync.bytes_written += w.size;
                done(write_action(w));
            });
            if (!r)
                return r;
        }
        return {};
    }

    Result<void> ordinary_writes() { return write_range(0, m_report.plan.first_entry_write); }
    Result<void> entry_writes() {
        return write_range(m_report.plan.first_entry_write, m_report.plan.writes.size());
    }

    Result<void> removals() {
        if (auto r = remove_list(m_report.plan.removals); !r)
            return r;
        for (const auto& dir : m_report.plan.rmdirs)
            if (auto r = m_files->rmdir(dir,
                                        [this, &dir] {
                                            ++m_report.sync.rmdirs;
                                            done({"rmdir", dir, "emptied"});
                                        });
                !r)
                return r;
        return {};
    }

    Result<void> write_record(const std::optional<DeployRecord>& record) {
        if (!record)
            return {};
        if (!m_has_record_dir) {
            if (auto r = m_files->mkdir(k_record_dir); !r)
                return r;
            m_has_record_dir = true;
        }
        Bytes json = text_bytes(record_to_json(*record));
        return m_files->write(k_record_path, json, sha256_hex(json),
                              [this] { m_report.sync.record_written = true; });
    }

    Result<void> record_before() { return write_record(m_records.before); }
    Result<void> record_after() { return write_record(m_records.after); }

    const SerialDeployOptions& m_o;
    SerialDeployReport m_report;
    project::Manifest m_manifest;
    Records m_records;
    std::map<std::string, Bytes> m_contents;
    serial::RawRepl* m_repl = nullptr;
    DeviceFiles* m_files = nullptr;
    bool m_has_record_dir = false;
};

} // namespace

Result<SerialDeployReport> deploy_over_serial(const SerialDeployOptions& options) {
    return SerialDeployer(options).run();
}

} // namespace mpyship::deploy
