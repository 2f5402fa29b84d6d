// build/manifest.json: the integrity list of what a build produced. The schema is the original
// workflow's (version, build_timestamp, files[{path, download_path, sha256, size}]) plus the additive
// fields target, mpy_version and generator. Files are sorted by path; the reader validates everything.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::project {

inline constexpr const char* k_manifest_file = "manifest.json";
inline constexpr const char* k_download_prefix = "mpy/";

struct ManifestFile {
    std::string path;          // relative to build/mpy, '/'-separated
    std::string download_path; // "mpy/" + path
    std::string sha256;        // lowercase hex
    std::uint64_t size = 0;
    bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
    std::string version;
    std::string build_timestamp;     // ISO-8601 UTC, e.g. 2026-11-21T12:00:00Z
    std::string target;              // circuitpython | micropython
    std::string mpy_version;         // e.g. "6.3"
    std::string generator;           // e.g. "mpyship 0.1.0"
    std::vector<ManifestFile> files; // sorted by path
};

std::string manifest_to_json(const Manifest& m);
// `name` is used in error messages (the manifest's path or archive member).
Result<Manifest> manifest_from_json(std::string_view text, const std::string& name);

// A relative path that is safe to create under a folder: no absolute path, no '..', no empty or '.'
// components, no backslashes or NULs.
bool is_safe_relative_path(std::string_view path);

std::string iso8601_utc(std::int64_t unix_seconds);

} // namespace mpyship::project
