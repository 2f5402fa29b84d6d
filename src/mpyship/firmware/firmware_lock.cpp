#include "mpyship/firmware/firmware_lock.h"

#include "mpyship/firmware/tree_hash.h"
#include "mpyship/project/toml_fields.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"

#include <sstream>
#include <toml++/toml.h>
#include <unistd.h>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

Result<std::string> git_output(const std::vector<std::string>& args, const fs::path& cwd,
                               const std::string& what) {
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv, {}, cwd);
    if (!r)
        return std::unexpected(r.error());
    if (r->exit_code != 0)
        return fail(what + ":\n" + r->err);
    return r->out.substr(0, r->out.find('\n'));
}

Result<LockedSource> resolve_git(const SourceSpec& s, const fs::path& tmp) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp.parent_path(), ec);
    if (auto r = git_output({"clone", "--quiet", "--no-checkout", s.git, tmp.string()}, {},
                            "cannot clone " + s.git);
        !r)
        return std::unexpected(r.error());
    auto commit = git_output({"rev-parse", "--verify", s.rev + "^{commit}"}, tmp,
                             "no revision " + s.rev + " in " + s.git);
    if (!commit)
        return std::unexpected(commit.error());
    if (auto r = git_output({"-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", *commit},
                            tmp, "cannot check out " + *commit);
        !r)
        return std::unexpected(r.error());
    auto hash = tree_hash(tmp);
    fs::remove_all(tmp, ec);
    if (!hash)
        return std::unexpected(hash.error());
    return LockedSource{s.describe(), *commit, *hash};
}

Result<LockedSource> resolve_source(const SourceSpec& s, const fs::path& tmp) {
    if (s.is_git())
        return resolve_git(s, tmp);
    auto hash = tree_hash(s.local);
    if (!hash)
        return std::unexpected(hash.error());
    return LockedSource{s.describe(), std::nullopt, *hash};
}

toml::table source_table(const LockedSource& s) {
    toml::table t{{"source", s.source}, {"tree_sha256", s.tree_sha256}};
    if (s.commit)
        t.insert("commit", *s.commit);
    return t;
}

Result<LockedSource> read_source(const toml::node* n, const std::string& name, const std::string& file) {
    const toml::table* t = n ? n->as_table() : nullptr;
    auto source = t ? (*t)["source"].value<std::string>() : std::nullopt;
    auto tree = t ? (*t)["tree_sha256"].value<std::string>() : std::nullopt;
    if (!source || !tree)
        return fail((n ? project::config_where(file, *n) : file + ": error: ") + "[" + name +
                    "] needs 'source' and 'tree_sha256'");
    return LockedSource{*source, (*t)["commit"].value<std::string>(), *tree};
}

Result<void> check_source(SourceSpec& s, const LockedSource& locked, const std::string& name) {
    const std::string again = ": run `mpyship firmware lock` to accept the change";
    if (s.describe() != locked.source)
        return fail("mpyship.lock pins " + name + " " + locked.source + " but mpyship.toml says " +
                    s.describe() + again);
    if (s.is_git()) {
        if (s.sha256 && *s.sha256 != locked.tree_sha256)
            return fail(name + " sha256 in mpyship.toml differs from mpyship.lock" + again);
        s.commit = locked.commit;
        s.sha256 = locked.tree_sha256;
        return {};
    }
    auto hash = tree_hash(s.local);
    if (!hash)
        return std::unexpected(hash.error());
    if (*hash != locked.tree_sha256)
        return fail(name + " source " + s.local.string() + " does not match mpyship.lock (tree sha256 " +
                    *hash + ", locked " + locked.tree_sha256 + ")" + again);
    s.sha256 = *hash; // the cache key uses it instead of hashing the tree again
    return {};
}

Result<void> check_patches(const FirmwareConfig& c, const FirmwareLock& lock) {
    const std::string again = ": run `mpyship firmware lock` to accept the change";
    if (c.patches.size() != lock.patches.size())
        return fail("mpyship.lock pins " + std::to_string(lock.patches.size()) +
                    " patches, mpyship.toml lists " + std::to_string(c.patches.size()) + again);
    for (std::size_t i = 0; i < c.patches.size(); ++i) {
        auto hash = file_hash(c.patches[i]);
        if (!hash)
            return std::unexpected(hash.error());
        std::string rel = c.patches[i].lexically_relative(c.project_root).generic_string();
        if (rel != lock.patches[i].first || *hash != lock.patches[i].second)
            return fail("patch " + std::to_string(i + 1) + " does not match mpyship.lock" + again,
                        c.patches[i].string());
    }
    return {};
}

} // namespace

Result<FirmwareLock> resolve_lock(const FirmwareConfig& c, const fs::path& cache_root) {
    fs::path tmp = cache_root / "firmware" / ("lock.tmp-" + std::to_string(::getpid()));
    FirmwareLock lock;
    auto mp = resolve_source(c.micropython, tmp);
    if (!mp)
        return std::unexpected(mp.error());
    lock.micropython = *mp;
    if (c.micropython_lib) {
        auto lib = resolve_source(*c.micropython_lib, tmp);
        if (!lib)
            return std::unexpected(lib.error());
        lock.micropython_lib = *lib;
    }
    for (const auto& p : c.patches) {
        auto hash = file_hash(p);
        if (!hash)
            return std::unexpected(hash.error());
        lock.patches.emplace_back(p.lexically_relative(c.project_root).generic_string(), *hash);
    }
    return lock;
}

std::string lock_text(const FirmwareLock& lock) {
    toml::table doc{{"version", 1}, {"micropython", source_table(lock.micropython)}};
    if (lock.micropython_lib)
        doc.insert("micropython_lib", source_table(*lock.micropython_lib));
    toml::array patches;
    for (const auto& [path, sha] : lock.patches)
        patches.push_back(toml::table{{"path", path}, {"sha256", sha}});
    if (!patches.empty())
        doc.insert("patch", patches);
    std::ostringstream out;
    out << "# Written by `mpyship firmware lock`; commit it. `mpyship firmware build` refuses sources and "
           "patches\n"
           "# that do not match it. Run `mpyship firmware lock` again to accept a change.\n"
        << doc << "\n";
    return out.str();
}

Result<FirmwareLock> parse_lock(std::string_view text, const std::string& file) {
    toml::table doc;
    try {
        doc = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        return fail(file + ":" + std::to_string(e.source().begin.line) + ":" +
                    std::to_string(e.source().begin.column) + ": error: " + std::string(e.description()));
    }
    if (doc["version"].value<std::int64_t>() != 1)
        return fail(file + ": error: unsupported lock file version (expected version = 1)");
    FirmwareLock lock;
    auto mp = read_source(doc.get("micropython"), "micropython", file);
    if (!mp)
        return std::unexpected(mp.error());
    lock.micropython = *mp;
    if (doc.get("micropython_lib")) {
        auto lib = read_source(doc.get("micropython_lib"), "micropython_lib", file);
        if (!lib)
            return std::unexpected(lib.error());
        lock.micropython_lib = *lib;
    }
    if (const toml::array* patches = doc["patch"].as_array())
        for (const auto& p : *patches) {
            auto path = p.as_table() ? (*p.as_table())["path"].value<std::string>() : std::nullopt;
            auto sha = p.as_table() ? (*p.as_table())["sha256"].value<std::string>() : std::nullopt;
            if (!path || !sha)
                return fail(project::config_where(file, p) + "[[patch]] needs 'path' and 'sha256'");
            lock.patches.emplace_back(*path, *sha);
        }
    return lock;
}

Result<std::optional<FirmwareLock>> read_lock(const fs::path& project_root) {
    fs::path path = project_root / k_lock_file;
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::optional<FirmwareLock>{};
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto lock = parse_lock(as_text(*bytes), path.string());
    if (!lock)
        return std::unexpected(lock.error());
    return std::optional<FirmwareLock>(*lock);
}

Result<void> apply_lock(FirmwareConfig& c, const FirmwareLock& lock) {
    if (auto r = check_source(c.micropython, lock.micropython, "micropython"); !r)
        return r;
    if (c.micropython_lib.has_value() != lock.micropython_lib.has_value())
        return fail(std::string("mpyship.lock ") + (lock.micropython_lib ? "pins" : "has no") +
                    " micropython_lib but mpyship.toml " + (c.micropython_lib ? "sets one" : "does not") +
                    ": run `mpyship firmware lock` to accept the change");
    if (c.micropython_lib)
        if (auto r = check_source(*c.micropython_lib, *lock.micropython_lib, "micropython_lib"); !r)
            return r;
    return check_patches(c, lock);
}

} // namespace mpyship::firmware
