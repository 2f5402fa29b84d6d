#include "mpyship/device/device_ops.h"

#include "mpyship/deploy/drive_rules.h"
#include "mpyship/device/device_path.h"

namespace mpyship::device {
namespace {

void note_protected(DeviceFs& fs, const std::string& path, RemovalCheck& check) {
    auto rel = fs.deploy_relative(path);
    if (!rel)
        return;
    auto reason = deploy::protection_reason(*rel, {});
    if (!reason.empty())
        check.protected_paths.push_back(path + " (" + reason + ")");
}

} // namespace

Result<std::string> put_destination(DeviceFs& fs, const std::filesystem::path& local, const std::string& dest) {
    std::string name = local.filename().string();
    if (dest.empty())
        return name;
    if (dest.ends_with('/'))
        return join_path(dest, name);
    auto st = fs.stat(dest);
    if (!st)
        return std::unexpected(st.error());
    return *st && (*st)->is_dir ? join_path(dest, name) : dest;
}

Result<RemovalCheck> check_removal(DeviceFs& fs, const std::string& path, bool recursive, bool force) {
    auto rel = fs.deploy_relative(path);
    if (is_root_path(path) || (rel && rel->empty()))
        return fail("refusing to remove the device's root folder", fs.where() + ":" + path);
    auto top = fs.stat(path);
    if (!top)
        return std::unexpected(top.error());
    if (!*top)
        return fail(errno_text(2), fs.where() + ":" + path);
    RemovalCheck check;
    note_protected(fs, path, check);
    if (!(*top)->is_dir) {
        check.files = 1;
    } else {
        if (!recursive)
            return fail("is a folder (rm needs -r for a folder)", fs.where() + ":" + path);
        auto entries = fs.list(path, true);
        if (!entries)
            return std::unexpected(entries.error());
        check.folders = 1;
        for (const auto& e : *entries) {
            (e.is_dir ? check.folders : check.files) += 1;
            note_protected(fs, join_path(path, e.path), check);
        }
    }
    if (!check.protected_paths.empty() && !force) {
        std::string list;
        for (const auto& p : check.protected_paths)
            list += (list.empty() ? "" : ", ") + p;
        return fail("refusing to remove " + list + "; --force removes it anyway", fs.where());
    }
    return check;
}

} // namespace mpyship::device
