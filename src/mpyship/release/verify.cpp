#include "mpyship/release/verify.h"

#include "mpyship/release/archive.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <set>

namespace mpyship::release {
namespace {

namespace fs = std::filesystem;

Result<FoundFile> hash_file(const fs::path& path) {
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return FoundFile{bytes->size(), sha256_hex(*bytes)};
}

// Every regular file below `dir`, keyed by its '/'-separated relative path.
Result<std::map<std::string, FoundFile>> scan_tree(const fs::path& dir) {
    std::map<std::string, FoundFile> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
    if (ec)
        return fail("cannot read folder: " + ec.message(), dir.string());
    for (; it != end; it.increment(ec)) {
        if (ec)
            return fail("cannot read folder: " + ec.message(), dir.string());
        if (!it->is_regular_file(ec) || it->is_symlink(ec))
            continue;
        auto found = hash_file(it->path());
        if (!found)
            return std::unexpected(found.error());
        out[it->path().lexically_relative(dir).generic_string()] = *found;
    }
    return out;
}

} // namespace

std::string_view problem_name(ProblemKind kind) {
    switch (kind) {
    case ProblemKind::missing: return "missing";
    case ProblemKind::extra: return "extra";
    case ProblemKind::wrong_size: return "wrong size";
    case ProblemKind::wrong_hash: return "wrong hash";
    }
    return "?";
}

VerifyReport compare_with_manifest(const build::Manifest& manifest, const std::map<std::string, FoundFile>& found,
                                   bool report_extras) {
    VerifyReport r;
    for (const auto& f : manifest.files) {
        ++r.files_checked;
        auto it = found.find(f.path);
        if (it == found.end())
            r.problems.push_back({ProblemKind::missing, f.path, "listed in the manifest but not present"});
        else if (it->second.size != f.size)
            r.problems.push_back({ProblemKind::wrong_size, f.path,
                                  "expected " + std::to_string(f.size) + " bytes, found " +
                                      std::to_string(it->second.size)});
        else if (it->second.sha256 != f.sha256)
            r.problems.push_back({ProblemKind::wrong_hash, f.path, "expected sha256 " + f.sha256 + ", found " +
                                                                       it->second.sha256});
    }
    if (report_extras) {
        std::set<std::string> listed;
        for (const auto& f : manifest.files)
            listed.insert(f.path);
        for (const auto& [path, info] : found)
            if (!listed.contains(path))
                r.problems.push_back({ProblemKind::extra, path, "present but not in the manifest"});
    }
    std::stable_sort(r.problems.begin(), r.problems.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return r;
}

Result<build::Manifest> load_manifest(const fs::path& path) {
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return build::manifest_from_json(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                                     path.string());
}

Result<VerifyReport> verify_build_folder(const fs::path& folder) {
    auto manifest = load_manifest(folder / build::k_manifest_file);
    if (!manifest)
        return std::unexpected(manifest.error());
    auto found = scan_tree(folder / "mpy");
    if (!found)
        return std::unexpected(found.error());
    auto report = compare_with_manifest(*manifest, *found, true);
    report.source = folder.string();
    return report;
}

Result<VerifyReport> verify_archive(const fs::path& archive) {
    std::optional<std::vector<std::uint8_t>> manifest_bytes;
    std::map<std::string, FoundFile> found;
    std::vector<std::string> outside;
    auto read = read_archive(archive, [&](ArchiveMember&& m) {
        if (m.is_directory)
            return;
        if (m.name == build::k_manifest_file)
            manifest_bytes = std::move(m.data);
        else if (m.name.starts_with(build::k_download_prefix))
            found[m.name.substr(4)] = FoundFile{m.data.size(), sha256_hex(m.data)};
        else
            outside.push_back(m.name);
    });
    if (!read)
        return std::unexpected(read.error());
    if (!manifest_bytes)
        return fail("archive has no manifest.json", archive.string());
    auto manifest = build::manifest_from_json(
        std::string_view(reinterpret_cast<const char*>(manifest_bytes->data()), manifest_bytes->size()),
        archive.string() + ":manifest.json");
    if (!manifest)
        return std::unexpected(manifest.error());
    auto report = compare_with_manifest(*manifest, found, true);
    for (const auto& name : outside)
        report.problems.push_back({ProblemKind::extra, name, "present in the archive but not in the manifest"});
    report.source = archive.string();
    return report;
}

Result<VerifyReport> verify_drive(const fs::path& drive, const build::Manifest& manifest) {
    std::map<std::string, FoundFile> found;
    for (const auto& f : manifest.files) {
        std::error_code ec;
        if (!fs::is_regular_file(drive / f.path, ec))
            continue;
        auto info = hash_file(drive / f.path);
        if (!info)
            return std::unexpected(info.error());
        found[f.path] = *info;
    }
    auto report = compare_with_manifest(manifest, found, false);
    report.source = drive.string();
    return report;
}

} // namespace mpyship::release
