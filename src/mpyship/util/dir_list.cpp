#include "mpyship/util/dir_list.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

namespace mpyship {
namespace {

EntryType from_mode(mode_t mode) {
    if (S_ISREG(mode))
        return EntryType::file;
    if (S_ISDIR(mode))
        return EntryType::directory;
    if (S_ISLNK(mode))
        return EntryType::symlink;
    return EntryType::other;
}

EntryType entry_type(const std::filesystem::path& dir, const struct dirent* d) {
    switch (d->d_type) {
    case DT_REG:
        return EntryType::file;
    case DT_DIR:
        return EntryType::directory;
    case DT_LNK:
        return EntryType::symlink;
    case DT_UNKNOWN: {
        struct stat st {};
        return ::lstat((dir / d->d_name).c_str(), &st) == 0 ? from_mode(st.st_mode) : EntryType::other;
    }
    default:
        return EntryType::other;
    }
}

} // namespace

Result<std::vector<DirEntry>> list_directory(const std::filesystem::path& dir) {
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) {
        int e = errno;
        return fail("cannot read folder: " + std::string(std::strerror(e)), dir.string(), e);
    }
    std::vector<DirEntry> out;
    errno = 0;
    while (const struct dirent* d = ::readdir(handle)) {
        std::string_view name = d->d_name;
        if (name != "." && name != "..")
            out.push_back({std::string(name), entry_type(dir, d)});
    }
    int e = errno;
    ::closedir(handle);
    if (e != 0)
        return fail("cannot read folder: " + std::string(std::strerror(e)), dir.string(), e);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

} // namespace mpyship
