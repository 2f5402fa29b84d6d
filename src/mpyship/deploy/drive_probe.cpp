#include "mpyship/deploy/drive_probe.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/mount_points.h"
#include "mpyship/util/text_lines.h"

#include <cerrno>
#include <cstring>
#include <sys/statvfs.h>
#include <unistd.h>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_cp_prefix = "Adafruit CircuitPython ";
constexpr std::string_view k_mp_prefix = "MicroPython ";
constexpr std::string_view k_board_id_prefix = "Board ID:";

std::string_view first_line(std::string_view text) {
    auto end = text.find_first_of("\r\n");
    return end == text.npos ? text : text.substr(0, end);
}

int leading_number(std::string_view s) {
    int n = 0;
    std::size_t i = 0;
    for (; i < s.size() && i < 4 && s[i] >= '0' && s[i] <= '9'; ++i)
        n = n * 10 + (s[i] - '0');
    return i == 0 ? 0 : n;
}

// "10.2.1 on 2025-10-01; Board with chip" after the runtime prefix.
void parse_version_line(std::string_view rest, BootInfo& info) {
    auto space = rest.find(' ');
    info.version = std::string(rest.substr(0, space));
    if (!info.version.empty() && info.version[0] == 'v')
        info.version.erase(0, 1);
    info.major = leading_number(info.version);
    auto semi = rest.find(';');
    if (semi != rest.npos)
        info.board = std::string(trim(rest.substr(semi + 1)));
}

std::string board_id(std::string_view text) {
    auto at = text.find(k_board_id_prefix);
    if (at == text.npos)
        return {};
    return std::string(trim(first_line(text.substr(at + k_board_id_prefix.size()))));
}

bool is_writable_folder(const fs::path& root) {
    struct statvfs st {};
    if (::statvfs(root.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY))
        return false;
    return ::access(root.c_str(), W_OK) == 0;
}

} // namespace

std::string_view runtime_name(Runtime runtime) {
    switch (runtime) {
    case Runtime::circuitpython:
        return "CircuitPython";
    case Runtime::micropython:
        return "MicroPython";
    case Runtime::unknown:
        break;
    }
    return "unknown runtime";
}

BootInfo parse_boot_out(std::string_view text) {
    BootInfo info;
    std::string_view line = trim(first_line(text));
    if (line.starts_with(k_cp_prefix)) {
        info.runtime = Runtime::circuitpython;
        parse_version_line(line.substr(k_cp_prefix.size()), info);
    } else if (line.starts_with(k_mp_prefix)) {
        info.runtime = Runtime::micropython;
        parse_version_line(line.substr(k_mp_prefix.size()), info);
    }
    info.board_id = board_id(text);
    return info;
}

Result<DriveInfo> probe_drive(const fs::path& root) {
    std::error_code ec;
    if (!fs::exists(root, ec))
        return fail("no such drive or folder", root.string(), ENOENT);
    if (!fs::is_directory(root, ec))
        return fail("not a folder (give the drive's mount point)", root.string(), ENOTDIR);
    if (!is_writable_folder(root))
        return fail("the drive is read-only (is the board's file system writable from USB?)", root.string(),
                    EROFS);
    DriveInfo info;
    info.root = root;
    info.has_micropython_marker = fs::is_regular_file(root / k_micropython_marker, ec);
    if (!fs::is_regular_file(root / k_boot_out_file, ec))
        return info;
    auto text = read_file(root / k_boot_out_file);
    info.has_boot_out = true;
    if (!text) {
        info.boot.unreadable = text.error().message; // the gate refuses it unless --force
        return info;
    }
    info.boot = parse_boot_out(as_text(*text));
    return info;
}

Result<fs::path> find_board_drive(const fs::path& mounts_file) {
    auto points = read_mount_points(mounts_file);
    if (!points)
        return std::unexpected(points.error());
    std::vector<std::string> found;
    std::error_code ec;
    for (auto& point : *points)
        if (fs::is_regular_file(fs::path(point) / k_boot_out_file, ec))
            found.push_back(point);
    if (found.empty())
        return fail("--to auto: no mounted drive has boot_out.txt (is the board plugged in and mounted?)");
    if (found.size() > 1) {
        std::string list;
        for (auto& f : found)
            list += (list.empty() ? "" : ", ") + f;
        return fail("--to auto: several mounted drives have boot_out.txt (" + list +
                    "); give one with --to PATH");
    }
    return fs::path(found.front());
}

} // namespace mpyship::deploy
