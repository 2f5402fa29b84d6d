#include "mpyship/project/manifest.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

namespace mpyship::project {
namespace {

using Json = nlohmann::ordered_json;

bool is_hex64(const std::string& s) {
    if (s.size() != 64)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

Result<ManifestFile> file_from_json(const Json& j, std::size_t index, const std::string& name) {
    std::string at = name + ": files[" + std::to_string(index) + "]";
    if (!j.is_object())
        return fail(at + ": expected an object");
    for (const char* key : {"path", "sha256"})
        if (!j.contains(key) || !j[key].is_string())
            return fail(at + ": '" + key + "' must be a string");
    if (!j.contains("size") || !j["size"].is_number_unsigned())
        return fail(at + ": 'size' must be a non-negative integer");
    ManifestFile f;
    f.path = j["path"].get<std::string>();
    f.sha256 = j["sha256"].get<std::string>();
    f.size = j["size"].get<std::uint64_t>();
    f.download_path = j.contains("download_path") && j["download_path"].is_string()
                          ? j["download_path"].get<std::string>()
                          : std::string(k_download_prefix) + f.path;
    if (!is_safe_relative_path(f.path))
        return fail(at + ": unsafe path '" + f.path + "'");
    if (!is_safe_relative_path(f.download_path))
        return fail(at + ": unsafe download_path '" + f.download_path + "'");
    if (!is_hex64(f.sha256))
        return fail(at + ": 'sha256' must be 64 lowercase hex digits");
    return f;
}

std::string optional_string(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

} // namespace

std::string manifest_to_json(const Manifest& m) {
    Json j;
    j["version"] = m.version;
    j["build_timestamp"] = m.build_timestamp;
    j["target"] = m.target;
    j["mpy_version"] = m.mpy_version;
    j["generator"] = m.generator;
    Json files = Json::array();
    for (const auto& f : m.files)
        files.push_back(Json{
            {"path", f.path}, {"download_path", f.download_path}, {"sha256", f.sha256}, {"size", f.size}});
    j["files"] = files;
    return j.dump(2) + "\n";
}

Result<Manifest> manifest_from_json(std::string_view text, const std::string& name) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded())
        return fail(name + ": not valid JSON");
    if (!j.is_object() || !j.contains("files") || !j["files"].is_array())
        return fail(name + ": expected an object with a 'files' array");
    Manifest m;
    m.version = optional_string(j, "version");
    m.build_timestamp = optional_string(j, "build_timestamp");
    m.target = optional_string(j, "target");
    m.mpy_version = optional_string(j, "mpy_version");
    m.generator = optional_string(j, "generator");
    for (std::size_t i = 0; i < j["files"].size(); ++i) {
        auto f = file_from_json(j["files"][i], i, name);
        if (!f)
            return std::unexpected(f.error());
        m.files.push_back(std::move(*f));
    }
    std::sort(m.files.begin(), m.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    for (std::size_t i = 1; i < m.files.size(); ++i)
        if (m.files[i - 1].path == m.files[i].path)
            return fail(name + ": '" + m.files[i].path + "' is listed twice");
    return m;
}

bool is_safe_relative_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\\') != path.npos || path.find('\0') != path.npos)
        return false;
    for (std::size_t start = 0; start <= path.size();) {
        std::size_t end = path.find('/', start);
        std::string_view part = path.substr(start, end == path.npos ? path.npos : end - start);
        if (part.empty() || part == "." || part == "..")
            return false;
        if (end == path.npos)
            break;
        start = end + 1;
    }
    return true;
}

std::string iso8601_utc(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace mpyship::project
