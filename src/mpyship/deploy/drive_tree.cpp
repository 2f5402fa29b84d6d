#include "mpyship/deploy/drive_tree.h"

#include "mpyship/deploy/drive_names.h"
#include "mpyship/util/dir_list.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"

#include <sys/stat.h>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
}

Result<void> add_file(DeviceTree& tree, const fs::path& root, const std::string& rel) {
    struct stat st {};
    if (::stat((root / rel).c_str(), &st) != 0)
        return fail("cannot read file size", (root / rel).string(), errno);
    tree.files[fat_fold(rel)] = DeviceFile{rel, std::uint64_t(st.st_size), std::nullopt};
    return {};
}

Result<void> walk(DeviceTree& tree, const fs::path& root, const std::string& rel) {
    auto entries = list_directory(rel.empty() ? root : root / rel);
    if (!entries)
        return std::unexpected(entries.error());
    for (const auto& e : *entries) {
        std::string path = join(rel, e.name);
        if (e.type == EntryType::directory) {
            tree.dirs[fat_fold(path)] = path;
            if (auto r = walk(tree, root, path); !r)
                return r;
        } else if (e.type == EntryType::file) {
            if (auto r = add_file(tree, root, path); !r)
                return r;
        } else if (e.type == EntryType::symlink) {
            tree.links[fat_fold(path)] = path;
        }
    }
    return {};
}

} // namespace

const DeviceFile* DeviceTree::find_file(std::string_view path) const {
    auto it = files.find(fat_fold(path));
    return it == files.end() ? nullptr : &it->second;
}

bool DeviceTree::has_dir(std::string_view path) const {
    return dirs.contains(fat_fold(path));
}

std::optional<std::string> DeviceTree::link_on_path(std::string_view path) const {
    if (links.empty())
        return std::nullopt;
    for (std::size_t end = 0; end != std::string_view::npos;) {
        end = path.find('/', end + 1);
        auto it = links.find(fat_fold(path.substr(0, end)));
        if (it != links.end())
            return it->second;
    }
    return std::nullopt;
}

Result<DeviceTree> scan_drive(const fs::path& root) {
    DeviceTree tree;
    if (auto r = walk(tree, root, ""); !r)
        return std::unexpected(r.error());
    return tree;
}

Result<void> hash_files(DeviceTree& tree, const std::function<bool(const DeviceFile&)>& wanted,
                        const std::function<Result<std::string>(const std::string& path)>& hash) {
    for (auto& [key, file] : tree.files) {
        if (file.sha256 || !wanted(file))
            continue;
        auto digest = hash(file.path);
        if (!digest)
            return std::unexpected(digest.error());
        file.sha256 = *digest;
    }
    return {};
}

Result<std::string> hash_drive_file(const fs::path& root, const std::string& path) {
    auto bytes = read_file(root / path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return sha256_hex(*bytes);
}

} // namespace mpyship::deploy
