#include "mpyship/deploy/deploy_record.h"

#include "mpyship/project/manifest.h"
#include "mpyship/util/file_io.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

Result<RecordFile> file_from_json(const json& j, const std::string& name) {
    if (!j.is_string())
        return fail("record entry is not a path", name);
    RecordFile f{j.get<std::string>()};
    if (!project::is_safe_relative_path(f.path))
        return fail("unsafe path in record: " + f.path, name);
    return f;
}

Result<DeployRecord> parse_record(const json& j, const std::string& name) {
    if (!j.is_object() || j.value("format", 0) != k_record_format || !j.contains("files") ||
        !j["files"].is_array())
        return fail("not an mpyship deploy record (format " + std::to_string(k_record_format) + ")", name);
    DeployRecord r{j.value("generator", std::string()), j.value("version", std::string()), {}};
    for (const auto& entry : j["files"]) {
        auto f = file_from_json(entry, name);
        if (!f)
            return std::unexpected(f.error());
        r.files.push_back(std::move(*f));
    }
    std::sort(r.files.begin(), r.files.end(), [](auto& a, auto& b) { return a.path < b.path; });
    return r;
}

} // namespace

std::string record_to_json(const DeployRecord& record) {
    json files = json::array();
    for (const auto& f : record.files)
        files.push_back(f.path);
    json j{{"format", k_record_format},
           {"generator", record.generator},
           {"version", record.version},
           {"files", files}};
    return j.dump(2) + "\n";
}

Result<DeployRecord> record_from_json(std::string_view text, const std::string& name) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded())
        return fail("deploy record is not valid JSON (delete it to start over)", name);
    return parse_record(j, name);
}

DeployRecord merge_records(const DeployRecord& older, const DeployRecord& newer) {
    std::map<std::string, RecordFile> by_path;
    for (const auto* r : {&older, &newer})
        for (const auto& f : r->files)
            by_path[f.path] = f;
    DeployRecord out{newer.generator, newer.version, {}};
    for (auto& [path, f] : by_path)
        out.files.push_back(f);
    return out;
}

Result<std::optional<DeployRecord>> read_record(const fs::path& root) {
    std::error_code ec;
    fs::path path = root / k_record_path;
    if (!fs::exists(path, ec))
        return std::optional<DeployRecord>{};
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto record = record_from_json(as_text(*bytes), path.string());
    if (!record)
        return std::unexpected(record.error());
    return std::optional<DeployRecord>(std::move(*record));
}

Result<void> write_record(const fs::path& root, const DeployRecord& record, const StepHook& hook) {
    std::error_code ec;
    if (!fs::is_directory(root / k_record_dir, ec) && hook)
        hook("mkdir", k_record_dir);
    fs::create_directory(root / k_record_dir, ec);
    if (ec)
        return fail("cannot create folder: " + ec.message(), (root / k_record_dir).string(), ec.value());
    std::string text = record_to_json(record);
    return safe_write(root, k_record_path, as_bytes(text), hook);
}

} // namespace mpyship::deploy
