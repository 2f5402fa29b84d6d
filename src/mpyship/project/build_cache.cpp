#include "mpyship/project/build_cache.h"

#include "mpyship/util/file_io.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>
#include <vector>

namespace mpyship::project {
namespace {

constexpr std::string_view k_magic = "mpyship-build-cache 2";

constexpr std::size_t k_fields = 9;

// The line's fields, or false when it does not have exactly k_fields.
bool split_tabs(std::string_view line, std::array<std::string_view, k_fields>& fields) {
    std::size_t n = 0;
    for (std::size_t start = 0;; ++n) {
        std::size_t tab = line.find('\t', start);
        if (n == k_fields)
            return false;
        fields[n] = line.substr(start, tab == line.npos ? line.npos : tab - start);
        if (tab == line.npos)
            return n + 1 == k_fields;
        start = tab + 1;
    }
}

template <typename T> bool parse_number(std::string_view s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

// path, size, mtime_ns, inode, key, output, out_sha256, out_size, out_mtime_ns
bool parse_entry(std::string_view line, BuildCache& cache) {
    std::array<std::string_view, k_fields> f;
    if (!split_tabs(line, f))
        return false;
    CacheEntry e;
    auto key = HexDigest::of(f[4]);
    auto out_sha256 = HexDigest::of(f[6]);
    if (!key || !out_sha256)
        return false;
    e.key = *key;
    e.out_rel = f[5];
    e.out_sha256 = *out_sha256;
    if (!parse_number(f[1], e.source_size) || !parse_number(f[2], e.source_mtime_ns) ||
        !parse_number(f[3], e.source_inode) || !parse_number(f[7], e.out_size) ||
        !parse_number(f[8], e.out_mtime_ns))
        return false;
    // save_cache writes the entries in order, each path once; anything else is a damaged file.
    if (!cache.entries.empty() && !(cache.entries.back().first < f[0]))
        return false;
    cache.entries.emplace_back(std::string(f[0]), std::move(e));
    return true;
}

} // namespace

std::optional<HexDigest> HexDigest::of(std::string_view hex) {
    HexDigest d;
    if (hex.size() != d.digits.size())
        return std::nullopt;
    std::copy(hex.begin(), hex.end(), d.digits.begin());
    return d;
}

std::filesystem::path cache_path(const std::filesystem::path& out_dir) {
    return out_dir / ".mpyship" / "cache.tsv";
}

BuildCache load_cache(const std::filesystem::path& out_dir) {
    BuildCache cache;
    auto bytes = read_file(cache_path(out_dir));
    if (!bytes)
        return cache;
    std::string_view text = as_text(*bytes);
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t nl = text.find('\n', start);
        if (nl == text.npos)
            return BuildCache{}; // truncated: start over
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    if (lines.size() < 3 || lines[0] != k_magic)
        return BuildCache{};
    cache.settings = lines[1];
    cache.manifest = lines[2];
    cache.entries.reserve(lines.size() - 3);
    for (std::size_t i = 3; i < lines.size(); ++i)
        if (!parse_entry(lines[i], cache))
            return BuildCache{};
    return cache;
}

Result<void> save_cache(const std::filesystem::path& out_dir, const BuildCache& cache) {
    std::string text = std::string(k_magic) + "\n" + cache.settings + "\n" + cache.manifest + "\n";
    for (const auto& [path, e] : cache.entries) {
        if (path.find_first_of("\t\n") != std::string::npos)
            continue; // cannot be stored; such a file is simply rebuilt next time
        text += path + "\t" + std::to_string(e.source_size) + "\t" + std::to_string(e.source_mtime_ns) +
                "\t" + std::to_string(e.source_inode) + "\t" + e.key.str() + "\t" + e.out_rel + "\t" +
                e.out_sha256.str() + "\t" + std::to_string(e.out_size) + "\t" + std::to_string(e.out_mtime_ns) +
                "\n";
    }
    std::error_code ec;
    std::filesystem::create_directories(cache_path(out_dir).parent_path(), ec);
    return write_file_replace(cache_path(out_dir), text);
}

} // namespace mpyship::project
