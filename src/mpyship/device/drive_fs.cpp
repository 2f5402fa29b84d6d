#include "mpyship/device/drive_fs.h"

#include "mpyship/deploy/drive_names.h"
#include "mpyship/device/device_path.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <sys/statvfs.h>

namespace mpyship::device {
namespace {

namespace fs = std::filesystem;

} // namespace

Error DriveFs::error_at(const std::string& rel, std::string message) const {
    return Error{std::move(message), (m_root / rel).string()};
}

Result<std::string> DriveFs::relative(const std::string& path) const {
    std::string rel;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        std::string part = path.substr(start, end == path.npos ? path.npos : end - start);
        if (part == "..")
            return fail("a path on the drive cannot leave the drive ('..')", path);
        if (!part.empty() && part != ".")
            rel = rel.empty() ? part : rel + "/" + part;
        if (end == path.npos)
            break;
        start = end + 1;
    }
    // mpyship never follows a link on the drive: the link could lead off it.
    fs::path walk = m_root;
    std::error_code ec;
    for (const auto& part : fs::path(rel)) {
        walk /= part;
        if (fs::is_symlink(fs::symlink_status(walk, ec)))
            return std::unexpected(error_at(rel, "is a symbolic link; mpyship does not follow links on a drive"));
    }
    return rel;
}

Result<void> DriveFs::check_new_name(const std::string& rel) const {
    if (rel.empty())
        return std::unexpected(error_at(rel, "needs a name, not the drive's root"));
    if (m_fat)
        if (auto problem = deploy::fat_name_problem(rel); !problem.empty())
            return std::unexpected(error_at(rel, "FAT cannot hold this name: " + problem));
    std::error_code ec;
    fs::path parent = (m_root / rel).parent_path();
    if (!fs::is_directory(parent, ec))
        return std::unexpected(error_at(rel, "the folder " + parent.string() + " does not exist"));
    return {};
}

std::optional<std::string> DriveFs::deploy_relative(const std::string& path) const {
    auto rel = relative(path);
    return rel ? std::optional(*rel) : std::nullopt;
}

Result<std::optional<DeviceEntry>> DriveFs::stat(const std::string& path) {
    auto rel = relative(path);
    if (!rel)
        return std::unexpected(rel.error());
    std::error_code ec;
    auto st = fs::status(m_root / *rel, ec);
    if (!fs::exists(st))
        return std::optional<DeviceEntry>{};
    bool dir = fs::is_directory(st);
    auto size = dir ? 0 : fs::file_size(m_root / *rel, ec);
    return std::optional(DeviceEntry{path, dir, ec ? -1 : std::int64_t(size)});
}

Result<std::vector<DeviceEntry>> DriveFs::list(const std::string& path, bool recursive) {
    auto rel = relative(path);
    auto top = rel ? stat(path) : std::unexpected(rel.error());
    if (!top)
        return std::unexpected(top.error());
    if (!*top)
        return std::unexpected(error_at(*rel, errno_text(2)));
    if (!(*top)->is_dir)
        return std::vector<DeviceEntry>{**top};
    std::vector<DeviceEntry> out;
    fs::path base = m_root / *rel;
    std::error_code ec;
    auto add = [&](const fs::directory_entry& e) {
        std::error_code sec;
        bool dir = e.is_directory(sec) && !e.is_symlink(sec);
        auto size = dir ? 0 : e.file_size(sec);
        out.push_back({fs::relative(e.path(), base).generic_string(), dir, sec ? -1 : std::int64_t(size)});
    };
    if (recursive)
        for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            add(*it);
    else
        for (auto it = fs::directory_iterator(base, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
            add(*it);
    if (ec)
        return std::unexpected(error_at(*rel, "cannot list: " + ec.message()));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

Result<Bytes> DriveFs::read(const std::string& path) {
    auto rel = relative(path);
    if (!rel)
        return std::unexpected(rel.error());
    std::error_code ec;
    if (fs::is_directory(m_root / *rel, ec))
        return std::unexpected(error_at(*rel, errno_text(21)));
    if (!fs::exists(m_root / *rel, ec))
        return std::unexpected(error_at(*rel, errno_text(2)));
    return read_file(m_root / *rel);
}

Result<void> DriveFs::write(const std::string& path, std::span<const std::uint8_t> data) {
    auto rel = relative(path);
    auto ok = rel ? check_new_name(*rel) : std::unexpected(rel.error());
    if (!ok)
        return ok;
    std::error_code ec;
    if (fs::is_directory(m_root / *rel, ec))
        return std::unexpected(error_at(*rel, "is a folder"));
    if (auto w = deploy::safe_write(m_root, *rel, data, m_hook); !w)
        return w;
    auto back = read_file(m_root / *rel);
    if (!back)
        return std::unexpected(back.error());
    if (!std::equal(back->begin(), back->end(), data.begin(), data.end()))
        return std::unexpected(error_at(*rel, "the file read back differs from what was written"));
    return {};
}

Result<void> DriveFs::remove(const std::string& path, bool recursive) {
    auto rel = relative(path);
    if (!rel)
        return std::unexpected(rel.error());
    fs::path target = m_root / *rel;
    std::error_code ec;
    auto st = fs::symlink_status(target, ec);
    if (!fs::exists(st))
        return std::unexpected(error_at(*rel, errno_text(2)));
    if (fs::is_directory(st) && !recursive)
        return std::unexpected(error_at(*rel, "is a folder (rm needs -r for a folder)"));
    deploy::step(m_hook, "remove", *rel);
    if (recursive)
        fs::remove_all(target, ec);
    else
        fs::remove(target, ec);
    if (ec)
        return std::unexpected(error_at(*rel, "cannot remove: " + ec.message()));
    return {};
}

Result<void> DriveFs::make_dir(const std::string& path) {
    auto rel = relative(path);
    auto ok = rel ? check_new_name(*rel) : std::unexpected(rel.error());
    if (!ok)
        return ok;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(m_root / *rel, ec)))
        return std::unexpected(error_at(*rel, errno_text(17)));
    deploy::step(m_hook, "mkdir", *rel);
    if (!fs::create_directory(m_root / *rel, ec) || ec)
        return std::unexpected(error_at(*rel, "cannot create the folder: " + ec.message()));
    return {};
}

Result<DeviceSpace> DriveFs::space(const std::string& path) {
    auto rel = relative(path);
    if (!rel)
        return std::unexpected(rel.error());
    struct statvfs s {};
    if (::statvfs((m_root / *rel).c_str(), &s) != 0)
        return std::unexpected(error_at(*rel, "cannot read the free space: " + errno_text(errno)));
    return DeviceSpace{std::uint64_t(s.f_frsize) * s.f_blocks, std::uint64_t(s.f_frsize) * s.f_bavail,
                       std::uint64_t(s.f_frsize)};
}

Result<std::string> DriveFs::sha256(const std::string& path) {
    auto bytes = read(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return sha256_hex(*bytes);
}

Result<void> DriveFs::reset(ResetKind) {
    return fail("a mounted drive cannot reset its board; use --port DEV to reset over the serial REPL",
                m_root.string());
}

} // namespace mpyship::device
