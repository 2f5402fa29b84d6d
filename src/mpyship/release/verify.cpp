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
    case ProblemKind::missing:
        return "missing";
    case ProblemKind::extra:
        return "extra";
    case ProblemKind::wrong_size:
        return "wrong size";
    case ProblemKind::wrong_hash:
        return "wrong hash";
    case ProblemKind::shadows:
        return "shadows";
    case ProblemKind::bad_signature:
        return "not trusted";
    }
    return "?";
}

VerifyReport compare_with_manifest(const project::Manifest& manifest,
                                   const std::map<std::string, FoundFile>& found, bool report_extras) {
    VerifyReport r;
    for (const auto& f : manifest.files) {
        ++r.files_checked;
        auto it = found.find(f.path);
        if (it == found.end())
            r.problems.push_back({ProblemKind::missing, f.path, "listed in the manifest but not present"});
        else if (it->second.size != f.size)
            r.problems.push_back(
                {ProblemKind::wrong_size, f.path,
                 "expected " + std::to_string(f.size) + " bytes, found " +
                     (it->second.stopped_early ? "more (reading stopped there)" : std::to_string(it->second.size))});
        else if (it->second.sha256 != f.sha256)
            r.problems.push_back({ProblemKind::wrong_hash, f.path,
                                  "expected sha256 " + f.sha256 + ", found " + it->second.sha256});
    }
    if (report_extras) {
        std::set<std::string> listed;
        for (const auto& f : manifest.files)
            listed.insert(f.path);
        for (const auto& [path, info] : found)
            if (!listed.contains(path))
                r.problems.push_back({ProblemKind::extra, path, "present but not in the manifest"});
    }
    std::stable_sort(r.problems.begin(), r.problems.end(),
                     [](const auto& a, const auto& b) { return a.path < b.path; });
    return r;
}

Result<project::Manifest> load_manifest(const fs::path& path) {
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return project::manifest_from_json(as_text(*bytes), path.string());
}

Result<VerifyReport> verify_build_folder(const fs::path& folder) {
    auto manifest = load_manifest(folder / project::k_manifest_file);
    if (!manifest)
        return std::unexpected(manifest.error());
    auto found = scan_tree(folder / "mpy");
    if (!found)
        return std::unexpected(found.error());
    auto report = compare_with_manifest(*manifest, *found, true);
    report.source = folder.string();
    return report;
}

namespace {

constexpr std::size_t k_manifest_limit = 16 << 20;

// First pass over an archive: only manifest.json is read; every other member is skipped unread.
Result<project::Manifest> archive_manifest(const fs::path& archive) {
    std::optional<std::vector<std::uint8_t>> bytes;
    auto read = read_archive(archive, [&](const ArchiveMember& m, MemberData& data) -> Result<void> {
        if (m.is_directory || m.name != project::k_manifest_file)
            return {};
        auto b = read_member(m, data, k_manifest_limit);
        if (!b)
            return std::unexpected(b.error());
        bytes = std::move(*b);
        return {};
    });
    if (!read)
        return std::unexpected(read.error());
    if (!bytes)
        return fail("archive has no manifest.json", archive.string());
    return project::manifest_from_json(as_text(*bytes), archive.string() + ":manifest.json");
}

// Hashes a member as it streams, reading at most one byte more than the manifest says: a member that
// inflates far beyond its listed size costs neither the memory nor the time to read it whole.
Result<FoundFile> hash_member(MemberData& data, std::uint64_t expected_size) {
    Sha256 h;
    std::uint64_t size = 0;
    std::uint8_t buf[65536];
    bool stopped_early = false;
    for (;;) {
        if (size > expected_size) {
            stopped_early = true;
            break;
        }
        auto n = data.read(buf);
        if (!n)
            return std::unexpected(n.error());
        if (*n == 0)
            break;
        h.update(std::span<const std::uint8_t>(buf, *n));
        size += *n;
    }
    return FoundFile{size, h.hex_digest(), stopped_early};
}

} // namespace

Result<VerifyReport> verify_archive(const fs::path& archive) {
    auto manifest = archive_manifest(archive);
    if (!manifest)
        return std::unexpected(manifest.error());
    std::map<std::string, std::uint64_t> listed;
    for (const auto& f : manifest->files)
        listed[f.path] = f.size;
    std::map<std::string, FoundFile> found;
    std::vector<std::string> outside;
    auto read = read_archive(archive, [&](const ArchiveMember& m, MemberData& data) -> Result<void> {
        if (m.is_directory || m.name == project::k_manifest_file)
            return {};
        if (!m.name.starts_with(project::k_download_prefix)) {
            outside.push_back(m.name);
            return {};
        }
        std::string path = m.name.substr(std::string_view(project::k_download_prefix).size());
        auto it = listed.find(path);
        auto hashed = hash_member(data, it == listed.end() ? 0 : it->second);
        if (!hashed)
            return std::unexpected(hashed.error());
        found[path] = *hashed;
        return {};
    });
    if (!read)
        return std::unexpected(read.error());
    auto report = compare_with_manifest(*manifest, found, true);
    for (const auto& name : outside)
        report.problems.push_back(
            {ProblemKind::extra, name, "present in the archive but not in the manifest"});
    std::stable_sort(report.problems.begin(), report.problems.end(),
                     [](const auto& a, const auto& b) { return a.path < b.path; });
    report.source = archive.string();
    return report;
}

Result<VerifyReport> verify_drive(const fs::path& drive, const project::Manifest& manifest) {
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
