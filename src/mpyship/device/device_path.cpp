#include "mpyship/device/device_path.h"

#include <cerrno>

namespace mpyship::device {

std::string join_path(std::string_view folder, std::string_view name) {
    if (folder.empty() || folder == ".")
        return std::string(name);
    std::string out(folder);
    if (out.back() != '/')
        out += '/';
    return out + std::string(name);
}

std::string_view base_name(std::string_view path) {
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    auto slash = path.rfind('/');
    return slash == path.npos ? path : path.substr(slash + 1);
}

bool is_root_path(std::string_view path) {
    return path.empty() || path == "." || path == "/" || path == "./";
}

std::string trim_slashes(std::string_view path) {
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    return std::string(path);
}

std::string errno_text(int e) {
    switch (e) {
    case ENOENT:
        return "no such file or folder";
    case EEXIST:
        return "already exists";
    case ENOTDIR:
        return "not a folder";
    case EISDIR:
        return "is a folder";
    case ENOTEMPTY:
        return "the folder is not empty";
    case ENOSPC:
        return "no space left on the device";
    case EROFS:
        return "the file system is read-only (is the drive in use by the host?)";
    case EACCES:
    case EPERM:
        return "permission denied";
    case EINVAL:
        return "invalid argument";
    case EIO:
        return "input/output error";
    default:
        return "error " + std::to_string(e);
    }
}

} // namespace mpyship::device
