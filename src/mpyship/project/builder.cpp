#include "mpyship/project/builder.h"

#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/format.h"
#include "mpyship/mpy/writer.h"
#include "mpyship/project/build_cache.h"
#include "mpyship/project/diagnostic.h"
#include "mpyship/project/folder_cache.h"
#include "mpyship/project/git_version.h"
#include "mpyship/project/manifest.h"
#include "mpyship/project/source_tree.h"
#include "mpyship/util/dir_list.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"
#include "mpyship/util/text_checks.h"
#include "mpyship/util/thread_pool.h"
#include "mpyship/util/version.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_set>
#include <sys/stat.h>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

enum class Outcome { up_to_date, compiled, copied, failed };

struct JobResult {
    Outcome outcome = Outcome::failed;
    CacheEntry entry;
    std::string diagnostic;
    std::optional<Error> io_error; // fatal: the build stops
};

// One file's result as the build holds it: a file in which nothing changed is only a pointer to its entry in
// the old cache (a no-op build then copies no entries, and when every file is unchanged it takes the old
// cache's over as they are; a slot is 16 bytes, where a whole result is ~300 that a no-op build of 2,067
// files faulted in), anything else its whole result.
struct JobSlot {
    const CacheEntry* unchanged = nullptr;
    std::unique_ptr<JobResult> result;
    Outcome outcome() const { return unchanged ? Outcome::up_to_date : result->outcome; }
    const CacheEntry& entry() const { return unchanged ? *unchanged : result->entry; }
};

// A module mpyship cannot compile only because it uses the native emitter (@micropython.native, viper,
// asm_*):
bool kept_as_source(const CacheEntry& e, const SourceFile& f) {
    return f.action == SourceAction::compile && e.out_rel != f.out_rel;
}

struct CompileFailure {
    std::string diagnostic;
    bool native_only = false;
};

struct StatInfo {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
};

std::optional<StatInfo> stat_file(const char* p) {
    struct stat st {};
    if (::stat(p, &st) != 0)
        return std::nullopt;
    return StatInfo{std::uint64_t(st.st_size),
                    std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                    std::uint64_t(st.st_ino)};
}

std::string without_trailing_slash(std::string path) {
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

// A SHA-256's hex digest (always 64 digits) as the cache keeps it.
HexDigest digest_of(const std::string& hex) {
    return HexDigest::of(hex).value_or(HexDigest{});
}

// "src/x.py:3:7: error: source is not valid UTF-8 (byte 0xff)", then the line (bad bytes shown as '?') and a
// caret under the first bad byte.
std::string utf8_diagnostic(const std::string& shown, std::string_view text, std::size_t bad) {
    std::size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    line_start = line_start == text.npos || bad == 0 ? 0 : line_start + 1;
    std::size_t line_end = text.find('\n', bad);
    std::string line(text.substr(line_start, line_end == text.npos ? text.npos : line_end - line_start));
    for (char& c : line)
        if (static_cast<unsigned char>(c) >= 0x80)
            c = '?';
    std::size_t line_no = 1 + std::size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(bad), '\n'));
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[bad]));
    return shown + ":" + std::to_string(line_no) + ":" + std::to_string(bad - line_start + 1) +
           ": error: source is not valid UTF-8 (byte " + hex + ")\n    " + line + "\n    " +
           std::string(bad - line_start, ' ') + "^\n";
}

class Builder {
  public:
    Builder(const ProjectConfig& c, const BuildOptions& o)
        : m_config(c), m_options(o), m_out_mpy(c.out_dir() / "mpy"), m_out_mpy_text(m_out_mpy.string()),
          m_src_text(without_trailing_slash(c.src_dir().string())) {}

    Result<BuildReport> run() {
        // Finding the sources and looking at what build/ holds are independent: the walk of src/ runs on a
        // thread of its own.
        auto walked = std::async(std::launch::async, [this] {
            m_src_folders.emplace(FolderCache::load(state_dir() / "src-folders.tsv"));
            return discover_sources(m_config, &*m_src_folders);
        });
        m_old = load_cache(m_config.out_dir());
        m_out_folders.emplace(FolderCache::load(state_dir() / "out-folders.tsv"));
        auto scanned = scan_outputs();
        auto sources = walked.get();
        if (!sources)
            return std::unexpected(sources.error());
        if (!scanned)
            return std::unexpected(scanned.error());
        m_sources = std::move(sources->files);
        m_skipped_secrets = std::move(sources->skipped_secrets);
        if (auto added = add_extra_sources(); !added)
            return std::unexpected(added.error());
        m_settings = settings_fingerprint();
        const std::vector<const CacheEntry*> old = old_entries();
        std::vector<JobSlot> results(m_sources.size());
        std::size_t done = 0;
        std::mutex progress_mutex;
        parallel_for(m_sources.size(), m_options.jobs ? m_options.jobs : default_jobs(), [&](std::size_t i) {
            results[i] = job(m_sources[i], old[i]);
            if (m_options.on_progress) {
                std::lock_guard lock(progress_mutex);
                m_options.on_progress(++done, m_sources.size());
            }
        });
        return finish(results);
    }

  private:
    // Files the build adds (the OTA updater): an src/ file at the same place is an error, not an override.
    Result<void> add_extra_sources() {
        for (const auto& extra : m_options.extra_sources) {
            SourceFile f = classify_source(m_config, extra.rel, extra.abs.string());
            for (const auto& s : m_sources)
                if (ascii_lower(s.out_rel) == ascii_lower(f.out_rel))
                    return fail("this file is where mpyship puts " + extra.rel +
                                    " for [ota]: move it, or remove the [ota] section",
                                (m_config.src_dir() / s.rel).string());
            m_sources.push_back(std::move(f));
        }
        std::sort(m_sources.begin(), m_sources.end(), [](const auto& a, const auto& b) { return a.rel < b.rel; });
        return {};
    }

    std::string settings_fingerprint() const {
        return Sha256()
            .update(compiler::compiler_version())
            .update("\n")
            .update(target_name(m_config.target))
            .update("\n-O" + std::to_string(m_config.opt_level))
            .update(m_config.arch ? std::string("\n-march=") + mpy::native_arch_name(*m_config.arch) : "")
            .hex_digest();
    }

    std::string source_path(const SourceFile& f) const { return f.abs.empty() ? m_src_text + "/" + f.rel : f.abs; }

    fs::path output_path(const std::string& out_rel) const { return m_out_mpy / out_rel; }
    // The same as a plain string: a no-op build checks every output, and an fs::path splits itself into
    // components (an allocation each).
    std::string output_file(const std::string& out_rel) const { return m_out_mpy_text + "/" + out_rel; }
    fs::path state_dir() const { return m_config.out_dir() / ".mpyship"; }

    // The cache entry of each source (null: none usable), found in one walk over both lists: the sources and
    // the cache's entries are both in order of their path.
    std::vector<const CacheEntry*> old_entries() const {
        std::vector<const CacheEntry*> old(m_sources.size(), nullptr);
        if (m_old.settings != m_settings)
            return old;
        auto it = m_old.entries.begin();
        for (std::size_t i = 0; i < m_sources.size(); ++i) {
            const SourceFile& f = m_sources[i];
            while (it != m_old.entries.end() && it->first < f.rel)
                ++it;
            if (it == m_old.entries.end())
                break;
            // A module kept as source (native code) has the source's own name as its output.
            if (it->first == f.rel && (it->second.out_rel == f.out_rel || it->second.out_rel == f.rel))
                old[i] = &it->second;
        }
        return old;
    }

    // An output is intact when it is still there with the size and mtime it had when written: one stat, no
    // hashing. Anything that rewrote or truncated it (a damaged file, a hand edit) changes one of them.
    bool output_intact(const CacheEntry& e) const {
        if (!std::binary_search(m_existing.begin(), m_existing.end(), e.out_rel))
            return false;
        auto st = stat_file(output_file(e.out_rel).c_str());
        return st && st->size == e.out_size && st->mtime_ns == e.out_mtime_ns;
    }

    // Lists what build/mpy holds now (types come from the directory listing, no stat per file).
    Result<void> scan_outputs() {
        auto scanned = scan_output_dir(m_out_mpy, "");
        std::sort(m_existing.begin(), m_existing.end());
        return scanned;
    }

    Result<void> scan_output_dir(const fs::path& dir, const std::string& rel) {
        std::error_code ec;
        if (rel.empty() && !fs::exists(dir, ec))
            return {};
        auto entries = m_out_folders->list(dir.string());
        if (!entries)
            return std::unexpected(entries.error());
        for (const auto& e : **entries) {
            std::string child = rel.empty() ? e.name : rel + "/" + e.name;
            if (e.type == EntryType::directory) {
                m_existing_dirs.push_back(dir / e.name);
                if (auto r = scan_output_dir(dir / e.name, child); !r)
                    return r;
            } else {
                m_existing.push_back(std::move(child));
            }
        }
        return {};
    }

    JobSlot job(const SourceFile& f, const CacheEntry* old) const {
        const std::string path = source_path(f);
        auto st = stat_file(path.c_str());
        if (st && old && old->source_size == st->size && old->source_mtime_ns == st->mtime_ns &&
            old->source_inode == st->inode && output_intact(*old))
            return JobSlot{old, nullptr};
        return JobSlot{nullptr, std::make_unique<JobResult>(build_one(f, path, st, old))};
    }

    JobResult build_one(const SourceFile& f, const std::string& path, const std::optional<StatInfo>& st,
                        const CacheEntry* old) const {
        JobResult r;
        auto bytes = read_file(path);
        if (!bytes) {
            r.io_error = bytes.error();
            return r;
        }
        r.entry = CacheEntry{bytes->size(),
                             st ? st->mtime_ns : 0,
                             st ? st->inode : 0,
                             content_key(f, *bytes),
                             f.out_rel,
                             {},
                             0};
        if (old && old->key == r.entry.key && output_intact(*old)) {
            r.entry.out_rel = old->out_rel;
            r.entry.out_sha256 = old->out_sha256;
            r.entry.out_size = old->out_size;
            r.entry.out_mtime_ns = old->out_mtime_ns;
            r.outcome = Outcome::up_to_date;
            return r;
        }
        return produce(f, *bytes, old, std::move(r));
    }

    HexDigest content_key(const SourceFile& f, const Bytes& bytes) const {
        return digest_of(Sha256()
                             .update(m_settings)
                             .update("\n" + f.rel + "\n" + (f.action == SourceAction::compile ? "compile" : "copy") +
                                     "\n")
                             .update(bytes)
                             .hex_digest());
    }

    JobResult produce(const SourceFile& f, const Bytes& source, const CacheEntry* old, JobResult r) const {
        Bytes output;
        if (f.action == SourceAction::compile) {
            auto compiled = compile(f, source);
            if (compiled) {
                output = std::move(*compiled);
            } else if (compiled.error().native_only && m_config.target == compiler::Target::micropython) {
                output = source;
                r.entry.out_rel = f.rel;
            } else {
                r.outcome = Outcome::failed;
                r.diagnostic = compiled.error().diagnostic;
                if (compiled.error().native_only)
                    r.diagnostic +=
                        "note: @micropython.native, viper and asm need the native emitter, which "
                        "CircuitPython boards do not have: remove the decorator for this target\n";
                return r;
            }
        } else {
            output = source;
        }
        r.entry.out_sha256 = digest_of(sha256_hex(output));
        r.entry.out_size = output.size();
        r.outcome = f.action == SourceAction::compile && r.entry.out_rel == f.out_rel ? Outcome::compiled
                                                                                      : Outcome::copied;
        bool same_on_disk = old && old->out_rel == r.entry.out_rel && old->out_sha256 == r.entry.out_sha256 &&
                            output_intact(*old);
        if (same_on_disk) {
            r.entry.out_mtime_ns = old->out_mtime_ns;
            return r;
        }
        fs::path path = output_path(r.entry.out_rel);
        make_folder(path.parent_path());
        if (auto w = write_build_output(path, output); !w)
            r.io_error = w.error();
        else
            r.entry.out_mtime_ns = *w;
        return r;
    }

    // Makes an output's folder, once per build: create_directories stats every folder of the path, and doing
    // that for each file was a fifth of a cold build's system calls. A failure shows in the write that follows.
    void make_folder(const fs::path& dir) const {
        std::string key = dir.string();
        {
            std::lock_guard lock(m_made_mutex);
            if (m_made_folders.contains(key))
                return;
        }
        std::error_code ec;
        fs::create_directories(dir, ec);
        std::lock_guard lock(m_made_mutex);
        if (!ec)
            m_made_folders.insert(std::move(key));
    }

    std::expected<Bytes, CompileFailure> compile(const SourceFile& f, const Bytes& source) const {
        std::string shown = (m_config.src / f.rel).generic_string();
        std::string_view text = as_text(source);
        if (auto bad = invalid_utf8_at(text); bad != std::string_view::npos)
            return std::unexpected(CompileFailure{utf8_diagnostic(shown, text, bad)});
        compiler::Options options;
        options.target = m_config.target;
        options.opt_level = m_config.opt_level;
        options.source_name = f.rel;
        options.arch = m_config.arch.value_or(mpy::NativeArch::none);
        options.march_given = m_config.arch.has_value();
        auto module = compiler::compile_module(text, options);
        if (!module)
            return std::unexpected(CompileFailure{format_diagnostic(module.error(), shown, text),
                                                  module.error().needs_native_arch});
        return mpy::write_module(*module);
    }

    Result<BuildReport> finish(std::vector<JobSlot>& results) {
        BuildReport report;
        BuildCache cache{m_settings, {}, {}};
        bool all_unchanged = results.size() == m_old.entries.size();
        for (std::size_t i = 0; i < results.size(); ++i) {
            const JobSlot& r = results[i];
            if (r.result && r.result->io_error)
                return std::unexpected(*r.result->io_error);
            count(report, r, m_sources[i]);
            all_unchanged = all_unchanged && r.unchanged;
        }
        // Every file as the old cache has it (a no-op build): its entries are taken over, not rebuilt.
        if (all_unchanged) {
            cache.entries = std::move(m_old.entries);
        } else {
            cache.entries.reserve(results.size());
            for (std::size_t i = 0; i < results.size(); ++i)
                if (results[i].outcome() != Outcome::failed)
                    cache.entries.emplace_back(m_sources[i].rel, results[i].unchanged
                                                                     ? *results[i].unchanged
                                                                     : std::move(results[i].result->entry));
        }
        for (const auto& rel : m_skipped_secrets)
            report.notes.push_back({(m_config.src / rel).generic_string(),
                                    "not shipped: it looks like a secret (a key or an .env file); name its exact "
                                    "path in [build] include to ship it"});
        std::sort(report.notes.begin(), report.notes.end(),
                  [](const auto& a, const auto& b) { return a.path < b.path; });
        if (auto removed = remove_stale(cache); !removed)
            return std::unexpected(removed.error());
        else
            report.counters.removed = *removed;
        report.version = resolve_version(m_config, m_options.version, newest_edit_ns(cache));
        if (auto m = write_manifest(cache, report); !m)
            return std::unexpected(m.error());
        const bool same_cache = all_unchanged ? cache.settings == m_old.settings && cache.manifest == m_old.manifest
                                              : cache == m_old;
        if (!same_cache)
            if (auto s = save_cache(m_config.out_dir(), cache); !s)
                return std::unexpected(s.error());
        for (const auto* folders : {&*m_src_folders, &*m_out_folders})
            if (auto s = folders->save(); !s)
                return std::unexpected(s.error());
        std::size_t built = report.counters.compiled + report.counters.up_to_date + report.counters.copied;
        bool some_module = built > 0 && any_module(cache);
        report.ok = report.failures.empty() || (!m_options.strict && some_module);
        if (!report.ok)
            report.why_failed = some_module ? std::to_string(report.failures.size()) + " file" +
                                                  (report.failures.size() == 1 ? "" : "s") + " failed (--strict)"
                                            : "no module compiled";
        return report;
    }

    // For git's -dirty: the newest mtime of the sources and the config (-1 when one cannot be read).
    std::int64_t newest_edit_ns(const BuildCache& cache) const {
        auto config = stat_file((m_config.root / "mpyship.toml").c_str());
        std::int64_t newest = config ? config->mtime_ns : 0;
        for (const auto& [rel, e] : cache.entries)
            newest = std::max(newest, e.source_mtime_ns);
        return cache.entries.size() == m_sources.size() ? newest : -1;
    }

    bool any_module(const BuildCache& cache) const {
        for (const auto& [rel, e] : cache.entries)
            if (e.out_rel != rel) // compiled: a.py -> a.mpy
                return true;
        return false;
    }

    std::string kept_as_source_note() const {
        if (!m_config.arch)
            return "kept as source: it uses @micropython.native, viper or asm, which need the board's "
                   "architecture; set [build] arch in mpyship.toml (e.g. \"armv7m\") to compile inline "
                   "assembler; the board compiles the source when it is imported";
        return "kept as source: it uses @micropython.native or viper code that mpyship cannot compile for "
               "this arch yet (inline assembler is compiled, and x64 native code without try/with/generators; "
               "see the README's Native code section); the board compiles the source when it is imported";
    }

    void count(BuildReport& report, const JobSlot& r, const SourceFile& f) const {
        if (r.outcome() != Outcome::failed && kept_as_source(r.entry(), f))
            report.notes.push_back({(m_config.src / f.rel).generic_string(), kept_as_source_note()});
        switch (r.outcome()) {
        case Outcome::up_to_date:
            ++report.counters.up_to_date;
            break;
        case Outcome::compiled:
            ++report.counters.compiled;
            break;
        case Outcome::copied:
            ++report.counters.copied;
            break;
        case Outcome::failed:
            ++report.counters.failed;
            report.failures.push_back({(m_config.src / f.rel).generic_string(), r.result->diagnostic});
            break;
        }
    }

    // Deletes every file under build/mpy that this build did not produce; returns how many.
    Result<std::size_t> remove_stale(const BuildCache& cache) {
        std::vector<std::string_view> keep;
        keep.reserve(cache.entries.size());
        for (const auto& [rel, e] : cache.entries)
            keep.push_back(e.out_rel);
        std::sort(keep.begin(), keep.end());
        std::size_t removed = 0;
        std::error_code ec;
        for (const auto& rel : m_existing) {
            if (std::binary_search(keep.begin(), keep.end(), std::string_view(rel)))
                continue;
            fs::path p = m_out_mpy / rel;
            if (!fs::remove(p, ec) || ec)
                return fail("cannot remove stale output: " + ec.message(), p.string());
            ++removed;
        }
        if (removed == 0)
            return removed;
        std::sort(m_existing_dirs.rbegin(), m_existing_dirs.rend()); // deepest first
        for (const auto& d : m_existing_dirs)
            if (fs::is_empty(d, ec))
                fs::remove(d, ec);
        return removed;
    }

    // Writes build/manifest.json unless its content is what the cache says was last written (then a no-op
    // rebuild neither reads nor rewrites it, and its timestamp stays).
    Result<void> write_manifest(BuildCache& cache, BuildReport& report) const {
        Manifest m;
        m.version = report.version;
        m.target = std::string(target_name(m_config.target));
        m.mpy_version = std::to_string(mpy::k_version) + "." + std::to_string(mpy::k_sub_version);
        m.generator = "mpyship " + std::string(mpyship_version());
        // The files by output path; the manifest's entries are made from them only when it is written.
        std::vector<const CacheEntry*> files;
        files.reserve(cache.entries.size());
        for (const auto& [rel, e] : cache.entries)
            files.push_back(&e);
        std::sort(files.begin(), files.end(), [](const auto* a, const auto* b) { return a->out_rel < b->out_rel; });
        report.manifest_files = files.size();
        auto epoch = build_epoch();
        if (!epoch)
            return std::unexpected(epoch.error());
        if (std::getenv("SOURCE_DATE_EPOCH"))
            m.build_timestamp = iso8601_utc(*epoch);
        fs::path path = m_config.out_dir() / k_manifest_file;
        std::string fingerprint = manifest_fingerprint(m, files);
        // The manifest is rewritten when its content would change or the file changed since it was written.
        if (auto st = stat_file(path.c_str()); st && m_old.manifest == stamped(fingerprint, *st)) {
            cache.manifest = m_old.manifest;
            return {};
        }
        m.build_timestamp = iso8601_utc(*epoch);
        m.files.reserve(files.size());
        for (const CacheEntry* e : files)
            m.files.push_back(
                {e->out_rel, std::string(k_download_prefix) + e->out_rel, e->out_sha256.str(), e->out_size});
        std::string text = manifest_to_json(m);
        report.manifest_written = true;
        std::error_code ec; // a build in which every module failed has written nothing into out/ yet
        fs::create_directories(path.parent_path(), ec);
        if (auto w = write_file_atomic(path, text); !w)
            return w;
        auto st = stat_file(path.c_str());
        cache.manifest = st ? stamped(fingerprint, *st) : fingerprint;
        return {};
    }

    static std::string stamped(const std::string& fingerprint, const StatInfo& st) {
        return fingerprint + " " + std::to_string(st.size) + " " + std::to_string(st.mtime_ns);
    }

    // Hash of everything the manifest says except a timestamp that is not pinned by SOURCE_DATE_EPOCH: the
    // fields of `m` but its files, then `files` (the manifest's entries, in its order). One buffer, one update.
    static std::string manifest_fingerprint(const Manifest& m, const std::vector<const CacheEntry*>& files) {
        std::string text = m.version + "\n" + m.build_timestamp + "\n" + m.target + "\n" + m.mpy_version + "\n" +
                           m.generator + "\n";
        text.reserve(text.size() + files.size() * 128);
        char size[24];
        for (const CacheEntry* f : files) {
            text += f->out_rel;
            text += '\t';
            text += f->out_sha256.view();
            text += '\t';
            text.append(size, std::to_chars(size, size + sizeof size, f->out_size).ptr);
            text += '\n';
        }
        return Sha256().update(text).hex_digest();
    }

    const ProjectConfig& m_config;
    const BuildOptions& m_options;
    std::vector<SourceFile> m_sources;
    BuildCache m_old;
    std::vector<std::string> m_skipped_secrets;
    fs::path m_out_mpy;                    // build/mpy
    std::string m_out_mpy_text;            // the same, as a string
    std::string m_src_text;                // src/, as the walk names it (no trailing '/')
    std::vector<std::string> m_existing;   // files in build/mpy before this build, relative paths, sorted
    std::vector<fs::path> m_existing_dirs; // folders in build/mpy before this build
    std::optional<FolderCache> m_src_folders; // listings of src/ remembered between builds
    std::optional<FolderCache> m_out_folders; // listings of build/mpy
    mutable std::mutex m_made_mutex;
    mutable std::unordered_set<std::string> m_made_folders; // output folders this build has made or found
    std::string m_settings;
};

} // namespace

std::string resolve_version(const ProjectConfig& config, const std::optional<std::string>& option,
                            std::int64_t newest_edit_ns) {
    if (option)
        return *option;
    if (config.version)
        return *config.version;
    auto described = git_describe(config.root, config.out_dir() / ".mpyship" / "git-describe", newest_edit_ns);
    return described ? *described : "unversioned";
}

Result<std::int64_t> build_epoch() {
    if (const char* sde = std::getenv("SOURCE_DATE_EPOCH")) {
        char* end = nullptr;
        long long v = std::strtoll(sde, &end, 10);
        if (*sde == '\0' || *end != '\0' || v < 0)
            return fail(std::string("SOURCE_DATE_EPOCH must be a non-negative integer, not '") + sde + "'");
        return std::int64_t(v);
    }
    return std::int64_t(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

Result<BuildReport> run_build(const ProjectConfig& config, const BuildOptions& options) {
    return Builder(config, options).run();
}

} // namespace mpyship::project
