#include "mpyship/project/source_tree.h"

#include "mpyship/util/dir_list.h"
#include "mpyship/util/glob.h"
#include "mpyship/util/text_checks.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

bool is_under(const fs::path& path, const fs::path& dir) {
    auto rel = path.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
}

// What the built-in name patterns (k_secret_patterns, k_always_excluded) say about the components of a
// path. Those patterns have no '/', so each matches any one component: a folder's verdicts carry down to
// everything below it, and each entry matches the patterns against its own name only (a no-op build of
// thousands of files matched every pattern against every component of every path).
// The built-in patterns are all a literal name, "prefix*" or "*suffix" (checked at compile time), matched
// here without the general glob matcher.
struct NamePattern {
    enum class Kind : std::uint8_t { exact, prefix, suffix, other } kind;
    std::string_view text;

    static constexpr NamePattern of(std::string_view g) {
        const std::size_t special = g.find_first_of("*?[/");
        if (special == std::string_view::npos)
            return {Kind::exact, g};
        if (g.find_first_of("*?[/", special + 1) == std::string_view::npos && g[special] == '*') {
            if (special == 0)
                return {Kind::suffix, g.substr(1)};
            if (special == g.size() - 1)
                return {Kind::prefix, g.substr(0, special)};
        }
        return {Kind::other, g};
    }
    bool matches(std::string_view name) const {
        return kind == Kind::exact ? name == text : kind == Kind::prefix ? name.starts_with(text) : name.ends_with(text);
    }
};

template <std::size_t N> constexpr std::array<NamePattern, N> name_patterns(const std::string_view (&globs)[N]) {
    std::array<NamePattern, N> out{};
    for (std::size_t i = 0; i < N; ++i)
        out[i] = NamePattern::of(globs[i]);
    return out;
}
constexpr auto k_secret_names = name_patterns(k_secret_patterns);
constexpr auto k_always_excluded_names = name_patterns(k_always_excluded);

template <std::size_t N> constexpr bool all_simple(const std::array<NamePattern, N>& patterns) {
    for (const auto& p : patterns)
        if (p.kind == NamePattern::Kind::other)
            return false;
    return true;
}
static_assert(all_simple(k_secret_names) && all_simple(k_always_excluded_names));

struct NameVerdicts {
    bool secret = false;
    bool always_excluded = false;

    NameVerdicts with(std::string_view name) const {
        NameVerdicts v = *this;
        for (const auto& p : k_secret_names)
            v.secret = v.secret || p.matches(name);
        for (const auto& p : k_always_excluded_names)
            v.always_excluded = v.always_excluded || p.matches(name);
        return v;
    }
};

class Walker {
  public:
    Walker(const ProjectConfig& c, FolderCache* folders) : m_config(c), m_folders(folders) {}

    Result<DiscoveredSources> run() {
        std::error_code ec;
        fs::path src = m_config.src_dir();
        if (!fs::is_directory(src, ec))
            return fail("source folder does not exist (set 'src' in mpyship.toml)", src.string());
        m_src_canonical = fs::canonical(src, ec);
        if (ec)
            return fail("cannot read folder: " + ec.message(), src.string());
        m_root_canonical = fs::canonical(m_config.root, ec);
        m_out_canonical = fs::weakly_canonical(m_config.out_dir(), ec);
        std::string top = src.string();
        while (top.size() > 1 && top.back() == '/')
            top.pop_back();
        if (auto r = walk(top, "", m_src_canonical, NameVerdicts{}); !r)
            return std::unexpected(r.error());
        if (m_files.empty())
            return fail("source folder has no files to build", src.string());
        std::sort(m_files.begin(), m_files.end(), [](const auto& a, const auto& b) { return a.rel < b.rel; });
        if (auto r = check_case_collisions(); !r)
            return std::unexpected(r.error());
        std::sort(m_secrets.begin(), m_secrets.end());
        return DiscoveredSources{std::move(m_files), std::move(m_secrets)};
    }

  private:
    // `canonical` is the folder's resolved path, carried down the walk: a real folder's child is its
    // canonical path plus the name, so only symbolic links are resolved (no readlink per component per folder).
    // Paths are plain strings here: an std::filesystem::path splits itself into components (an allocation
    // each) and was a tenth of a no-op build's time.
    Result<void> walk(const std::string& dir, const std::string& rel_dir, const fs::path& canonical,
                      NameVerdicts above) {
        if (!m_active.insert(canonical.string()).second)
            return fail("symbolic link loop", dir);
        std::vector<DirEntry> read; // the entries when there is no cache to keep them
        const std::vector<DirEntry>* entries = &read;
        if (m_folders) {
            auto listed = m_folders->list(dir);
            if (!listed)
                return std::unexpected(listed.error());
            entries = *listed;
        } else if (auto listed = list_directory(dir); listed) {
            read = std::move(*listed);
        } else {
            return std::unexpected(listed.error());
        }
        for (const auto& e : *entries)
            if (auto r = visit(dir + "/" + e.name, e, rel_dir, canonical, above); !r)
                return r;
        m_active.erase(canonical.string());
        return {};
    }

    Result<void> visit(const std::string& path, const DirEntry& e, const std::string& rel_dir,
                       const fs::path& parent_canonical, NameVerdicts above) {
        std::string rel = rel_dir.empty() ? e.name : rel_dir + "/" + e.name;
        if (excluded(rel))
            return {};
        bool is_dir = e.type == EntryType::directory;
        const NameVerdicts verdicts = above.with(e.name); // = looks_like_secret(rel), always_excluded(rel)
        if (!named_in_include(rel, is_dir)) {
            if (verdicts.secret && !is_dir) {
                m_secrets.push_back(rel);
                return {};
            }
            if (verdicts.always_excluded)
                return {};
        }
        EntryType type = e.type;
        fs::path canonical; // folders and links only: a file's is never needed
        if (type == EntryType::directory)
            canonical = parent_canonical / e.name;
        if (type == EntryType::symlink) {
            auto target = follow_link(path);
            if (!target)
                return std::unexpected(target.error());
            std::tie(type, canonical) = std::move(*target);
        }
        if (type == EntryType::directory) {
            if (canonical == m_out_canonical)
                return {}; // the build output inside src is never an input
            return walk(path, rel, canonical, verdicts);
        }
        if (type != EntryType::file)
            return fail("not a regular file (devices, sockets and pipes cannot be built)", path);
        if (auto why = fat_name_problem(e.name); !why.empty())
            return fail("name cannot be stored on a FAT drive: " + why, path);
        if (!included(rel))
            return {};
        m_files.push_back(classify(rel, "")); // read from src/<rel>: no copy of the whole path per file
        return {};
    }

    // A link is followed when it resolves to somewhere inside the project folder (a library shared by two
    // projects of one repository, say) other than the build output; one that leads out of the project is
    // refused, so a build never takes in files nobody meant to ship. Returns what it points to, and where.
    Result<std::pair<EntryType, fs::path>> follow_link(const fs::path& path) const {
        std::error_code ec;
        fs::path target = fs::canonical(path, ec);
        if (ec)
            return fail("broken or looping symbolic link", path.string());
        if (!is_under(target, m_root_canonical))
            return fail("symbolic link leads outside the project folder (to " + target.string() + ")",
                        path.string());
        if (target == m_out_canonical || is_under(target, m_out_canonical))
            return fail("symbolic link leads into the build output (to " + target.string() + ")", path.string());
        auto st = fs::status(target, ec);
        EntryType type = fs::is_directory(st)      ? EntryType::directory
                         : fs::is_regular_file(st) ? EntryType::file
                                                   : EntryType::other;
        return std::pair{type, target};
    }

    SourceFile classify(const std::string& rel, const std::string& abs) const {
        return classify_source(m_config, rel, abs);
    }

    bool excluded(const std::string& rel) const {
        for (const auto& g : m_config.exclude)
            if (glob_match(g, rel))
                return true;
        return false;
    }

    // An `include` entry that is this exact path (or, for a folder, lies inside it).
    bool named_in_include(const std::string& rel, bool is_dir) const {
        for (const auto& g : m_config.include)
            if (g == rel || (is_dir && g.starts_with(rel + "/")))
                return true;
        return false;
    }

    bool included(const std::string& rel) const {
        if (m_config.include.empty())
            return true;
        for (const auto& g : m_config.include)
            if (glob_match(g, rel))
                return true;
        return false;
    }

    // FAT is case-insensitive: two outputs that differ only in case would overwrite each other. The outputs'
    // lower-case forms are sorted and neighbours compared; a path without capitals is its own lower-case form
    // (most are: no copy for them; a map of copies was 4% of a no-op build).
    Result<void> check_case_collisions() const {
        std::vector<std::string> lowered;
        std::vector<std::pair<std::string_view, const SourceFile*>> keys;
        keys.reserve(m_files.size());
        for (const auto& f : m_files) {
            if (std::any_of(f.out_rel.begin(), f.out_rel.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
                lowered.push_back(ascii_lower(f.out_rel));
                keys.emplace_back(std::string_view(), &f); // the view is set below, once `lowered` stops moving
            } else {
                keys.emplace_back(f.out_rel, &f);
            }
        }
        std::size_t next_lowered = 0;
        for (auto& [key, f] : keys)
            if (key.data() == nullptr)
                key = lowered[next_lowered++];
        std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t i = 1; i < keys.size(); ++i)
            if (keys[i].first == keys[i - 1].first)
                return fail("'" + keys[i - 1].second->rel + "' and '" + keys[i].second->rel +
                                "' differ only in letter case; a FAT drive cannot hold both",
                            (m_config.src_dir() / keys[i].second->rel).string());
        return {};
    }

    const ProjectConfig& m_config;
    FolderCache* m_folders;
    fs::path m_src_canonical;
    fs::path m_root_canonical;
    fs::path m_out_canonical;
    std::set<std::string> m_active; // canonical folders on the current walk path (loop detection)
    std::vector<SourceFile> m_files;
    std::vector<std::string> m_secrets;
};

} // namespace

std::string fat_name_problem(std::string_view name) {
    for (unsigned char c : name) {
        if (c < 0x20)
            return "it contains a control character";
        if (std::string_view("<>:\"\\|?*").find(char(c)) != std::string_view::npos)
            return std::string("it contains '") + char(c) + "'";
    }
    if (!name.empty() && (name.back() == '.' || name.back() == ' '))
        return "it ends with a dot or a space";
    if (name.size() > 255)
        return "it is longer than 255 characters";
    return {};
}

SourceFile classify_source(const ProjectConfig& config, const std::string& rel, const std::string& abs) {
    SourceFile f{rel, abs, SourceAction::copy, rel};
    bool entry = std::find(config.entry_points.begin(), config.entry_points.end(), rel) != config.entry_points.end();
    if (!entry && rel.ends_with(".py")) {
        f.action = SourceAction::compile;
        f.out_rel = rel.substr(0, rel.size() - 3) + ".mpy";
    }
    return f;
}

bool looks_like_secret(std::string_view rel) {
    for (auto g : k_secret_patterns)
        if (glob_match(g, rel))
            return true;
    return false;
}

Result<DiscoveredSources> discover_sources(const ProjectConfig& config, FolderCache* folders) {
    return Walker(config, folders).run();
}

} // namespace mpyship::project
