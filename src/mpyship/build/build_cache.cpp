#include "mpyship/build/build_cache.h"

#include "mpyship/util/file_io.h"

#include <nlohmann/json.hpp>

namespace mpyship::build {

std::filesystem::path cache_path(const std::filesystem::path& out_dir) { return out_dir / ".mpyship" / "cache.json"; }

BuildCache load_cache(const std::filesystem::path& out_dir) {
    BuildCache cache;
    auto bytes = read_file(cache_path(out_dir));
    if (!bytes)
        return cache;
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return cache;
    try {
        cache.settings = j.at("settings").get<std::string>();
        for (const auto& [path, e] : j.at("entries").items())
            cache.entries[path] = CacheEntry{e.at("size").get<std::uint64_t>(),   e.at("mtime_ns").get<std::int64_t>(),
                                             e.at("inode").get<std::uint64_t>(),  e.at("key").get<std::string>(),
                                             e.at("output").get<std::string>(),   e.at("out_sha256").get<std::string>(),
                                             e.at("out_size").get<std::uint64_t>()};
    } catch (const nlohmann::json::exception&) {
        return BuildCache{};
    }
    return cache;
}

Result<void> save_cache(const std::filesystem::path& out_dir, const BuildCache& cache) {
    nlohmann::ordered_json j;
    j["settings"] = cache.settings;
    nlohmann::ordered_json entries = nlohmann::ordered_json::object();
    for (const auto& [path, e] : cache.entries)
        entries[path] = {{"size", e.source_size}, {"mtime_ns", e.source_mtime_ns}, {"inode", e.source_inode},
                         {"key", e.key},          {"output", e.out_rel},          {"out_sha256", e.out_sha256},
                         {"out_size", e.out_size}};
    j["entries"] = entries;
    std::error_code ec;
    std::filesystem::create_directories(cache_path(out_dir).parent_path(), ec);
    std::string text = j.dump(1) + "\n";
    return write_file_atomic(cache_path(out_dir), std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace mpyship::build
