#include "mpyship/firmware/firmware_build.h"

#include "mpyship/firmware/cache_lock.h"
#include "mpyship/firmware/firmware_lock.h"
#include "mpyship/firmware/flash_target.h"
#include "mpyship/firmware/frozen_manifest.h"
#include "mpyship/firmware/git_rev.h"
#include "mpyship/firmware/make_command.h"
#include "mpyship/firmware/port_info.h"
#include "mpyship/firmware/source_prep.h"
#include "mpyship/firmware/tree_hash.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"
#include "mpyship/util/process_stream.h"
#include "mpyship/util/sha256.h"
#include "mpyship/util/version.h"

#include <algorithm>
#include <fstream>
#include <thread>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return as_bytes(s);
}

unsigned effective_jobs(const FirmwareConfig& c, const FirmwareBuildOptions& o) {
    if (o.jobs)
        return o.jobs;
    if (c.jobs)
        return c.jobs;
    return std::max(1u, std::thread::hardware_concurrency());
}

// Hash of what make reads from outside the cache: the generated manifest and, with freeze_project, the
// project's source files. Same hash + same key = nothing to rebuild.
Result<std::string> frozen_stamp(const FirmwareConfig& c, const std::string& manifest) {
    Sha256 h;
    h.update(manifest);
    if (c.freeze_project && fs::is_directory(c.project_src)) {
        auto t = tree_hash(c.project_src);
        if (!t)
            return std::unexpected(t.error());
        h.update(*t);
    }
    return h.hex_digest();
}

bool outputs_current(const fs::path& out_dir, const std::string& key, const std::string& stamp) {
    auto bytes = read_file(out_dir / k_firmware_manifest);
    if (!bytes)
        return false;
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    return !j.is_discarded() && j["inputs"].value("key", "") == key &&
           j["inputs"].value("frozen_sha256", "") == stamp;
}

std::string first_line_of_version(const std::string& program) {
    auto r = run_process({program, "--version"});
    if (!r || r->exit_code != 0)
        return "unknown";
    std::string s = r->out.empty() ? r->err : r->out;
    return s.substr(0, s.find('\n'));
}

// `tree` is the prepared source: the board's files there say how `mpyship flash` puts the firmware on it.
nlohmann::ordered_json inputs_json(const FirmwareConfig& c, const CacheKey& key, const std::string& stamp,
                                   const std::string& manifest, const fs::path& tree) {
    nlohmann::ordered_json key_inputs = nlohmann::ordered_json::array();
    std::size_t start = 0, nl;
    while ((nl = key.inputs.find('\n', start)) != std::string::npos) {
        key_inputs.push_back(key.inputs.substr(start, nl - start));
        start = nl + 1;
    }
    nlohmann::ordered_json tools = nlohmann::ordered_json::object();
    for (const auto& p : toolchain_for(c.port, c.board.value_or("")).programs)
        tools[p] = first_line_of_version(p);
    return {{"key", key.key},
            {"mpyship_version", mpyship_version()},
            {"port", c.port},
            {"board", c.board.value_or("")},
            {"variant", c.variant.value_or("")},
            {"micropython", c.micropython.describe()},
            {"manifest_sha256", sha256_hex(bytes_of(manifest))},
            {"frozen_sha256", stamp},
            {"key_inputs", key_inputs},
            {"toolchain", tools},
            {"target", flash_target_json(flash_target_for(tree, c.port, c.board))}};
}

// Runs make, writing every line to the log and handing it to on_line; keeps the lines for the error tail.
Result<int> run_make(const FirmwareBuildResult& r, const FirmwareBuildOptions& o,
                     std::vector<std::string>& lines) {
    std::error_code ec;
    fs::create_directories(r.log.parent_path(), ec);
    std::ofstream log(r.log, std::ios::binary | std::ios::trunc);
    if (!log)
        return fail("cannot write the build log", r.log.string());
    log << "$ " << command_line(r.make_argv) << "\n";
    return run_streaming(r.make_argv, make_environment(), [&](std::string_view line) {
        log << line << '\n';
        lines.emplace_back(line);
        if (o.on_line)
            o.on_line(line);
    });
}

Result<FirmwareBuildResult> checked_prepare(const FirmwareConfig& c, const FirmwareBuildOptions& o,
                                            FirmwareBuildResult r, PreparedTree& p) {
    auto prepared = prepare_source(c, r.key.key, o.cache_root);
    if (!prepared)
        return std::unexpected(prepared.error());
    p = *prepared;
    r.prepared_now = !p.reused;
    if (auto ok = check_port_and_board(p.tree(), c.port, c.board, c.variant); !ok)
        return std::unexpected(ok.error());
    if (auto ok = check_toolchain(c.port, o.path_env, c.board.value_or("")); !ok)
        return std::unexpected(ok.error());
    if (auto ok = check_micropython_lib(c, p.tree()); !ok)
        return std::unexpected(ok.error());
    if (auto ok = link_mpy_cross(p, o.mpyship_exe); !ok)
        return std::unexpected(ok.error());
    return r;
}

} // namespace

std::vector<std::string> error_tail(const std::vector<std::string>& lines, std::size_t count) {
    std::vector<std::string> errors;
    for (const auto& l : lines) {
        std::string lower = l;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        if (lower.find("error") != std::string::npos)
            errors.push_back(l);
    }
    const auto& from = errors.empty() ? lines : errors;
    return {from.end() - std::ptrdiff_t(std::min(count, from.size())), from.end()};
}

std::vector<std::string> submodules_named_in(const std::vector<std::string>& submodules,
                                             const std::vector<std::string>& lines) {
    std::vector<std::string> named;
    for (const auto& m : submodules) {
        const std::string include = fs::path(m).filename().string() + "/";
        if (std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
                return l.find(m) != std::string::npos || l.find(include) != std::string::npos;
            }))
            named.push_back(m);
    }
    return named;
}

namespace {

// An unlocked git source: the commit its rev points to now keys the cache. Offline, the rev as written does,
// with a note (a cached tree of a moved branch may then be reused).
void resolve_unlocked(SourceSpec& s, const std::string& name, const FirmwareBuildOptions& o) {
    if (!s.is_git() || s.commit)
        return;
    auto commit = resolve_remote_rev(s.git, s.rev);
    if (commit)
        s.resolved = *commit;
    else if (o.on_note)
        o.on_note(commit.error().message + "; " + name +
                  " is keyed by the rev as written (run `mpyship "
                  "firmware lock` to pin a commit)");
}

// The config with mpyship.lock applied: local sources and patches checked now, git sources pinned (by the
// lock, else by what their rev points to now).
Result<FirmwareConfig> with_lock(const FirmwareConfig& config, const FirmwareBuildOptions& o) {
    auto lock = read_lock(config.project_root);
    if (!lock)
        return std::unexpected(lock.error());
    FirmwareConfig c = config;
    if (*lock)
        if (auto ok = apply_lock(c, **lock); !ok)
            return std::unexpected(ok.error());
    resolve_unlocked(c.micropython, "micropython", o);
    if (c.micropython_lib)
        resolve_unlocked(*c.micropython_lib, "micropython_lib", o);
    return c;
}

Result<FirmwareBuildResult> plan_locked(const FirmwareConfig& c, const FirmwareBuildOptions& o) {
    auto key = compute_cache_key(c, mpyship_version());
    if (!key)
        return std::unexpected(key.error());
    FirmwareBuildResult r;
    r.key = *key;
    r.cache_dir = cache_dir_for(o.cache_root, key->key);
    r.make_argv = make_command(c, PreparedTree{r.cache_dir}, effective_jobs(c, o));
    r.log = c.project_out / "firmware-build.log";
    r.out_dir = c.project_out / "firmware";
    return r;
}

} // namespace

Result<FirmwareBuildResult> plan_firmware_build(const FirmwareConfig& config, const FirmwareBuildOptions& o) {
    auto c = with_lock(config, o);
    if (!c)
        return std::unexpected(c.error());
    return plan_locked(*c, o);
}

Result<FirmwareBuildResult> build_firmware(const FirmwareConfig& config, const FirmwareBuildOptions& o) {
    auto locked = with_lock(config, o);
    if (!locked)
        return std::unexpected(locked.error());
    const FirmwareConfig& c = *locked;
    auto planned = plan_locked(c, o);
    if (!planned)
        return planned;
    auto cache_lock = CacheLock::acquire(o.cache_root / "locks" / (planned->key.key + ".lock"), o.on_note);
    if (!cache_lock)
        return std::unexpected(cache_lock.error());
    PreparedTree p;
    auto r = checked_prepare(c, o, *planned, p);
    if (!r)
        return r;
    auto manifest = frozen_manifest_text(c, p.tree());
    if (!manifest)
        return std::unexpected(manifest.error());
    if (auto w = write_file_atomic(p.manifest(), bytes_of(*manifest)); !w)
        return std::unexpected(w.error());
    auto stamp = frozen_stamp(c, *manifest);
    if (!stamp)
        return std::unexpected(stamp.error());
    if (outputs_current(r->out_dir, r->key.key, *stamp)) {
        r->up_to_date = r->ok = true;
        return r;
    }
    std::vector<std::string> lines;
    auto exit_code = run_make(*r, o, lines);
    if (!exit_code)
        return std::unexpected(exit_code.error());
    r->make_exit = *exit_code;
    if (*exit_code != 0) {
        r->error_tail = error_tail(lines, k_error_tail_lines);
        const auto empty = empty_submodules(p.tree());
        r->empty_submodule_count = empty.size();
        r->empty_submodules = submodules_named_in(empty, r->error_tail);
        return r;
    }
    auto outputs = collect_outputs(port_build_dir(p.tree(), c.port, c.board, c.variant), r->out_dir,
                                   inputs_json(c, r->key, *stamp, *manifest, p.tree()));
    if (!outputs)
        return std::unexpected(outputs.error());
    r->outputs = *outputs;
    r->ok = true;
    return r;
}

} // namespace mpyship::firmware
