#include "mpyship/util/mount_points.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/text_lines.h"

namespace mpyship {
namespace {

// The kernel writes a space, tab, newline or backslash in a mount point as a 3-digit octal escape.
std::string decode_mount_escapes(std::string_view field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        bool octal = field[i] == '\\' && i + 3 < field.size();
        if (octal) {
            out += char((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

} // namespace

std::vector<MountEntry> parse_mounts(std::string_view mounts_text) {
    std::vector<MountEntry> out;
    for (std::string_view line : split_lines(mounts_text)) {
        std::vector<std::string_view> fields;
        for (std::size_t start = 0; start <= line.size() && fields.size() < 3;) {
            auto space = line.find(' ', start);
            fields.push_back(line.substr(start, space == line.npos ? line.npos : space - start));
            if (space == line.npos)
                break;
            start = space + 1;
        }
        if (fields.size() >= 2)
            out.push_back({decode_mount_escapes(fields[0]), decode_mount_escapes(fields[1]),
                           fields.size() > 2 ? std::string(fields[2]) : std::string()});
    }
    return out;
}

Result<std::vector<MountEntry>> read_mounts(const std::filesystem::path& mounts_file) {
    auto text = read_text_file(mounts_file);
    if (!text)
        return std::unexpected(text.error());
    return parse_mounts(*text);
}

const MountEntry* mount_at(const std::vector<MountEntry>& mounts, const std::filesystem::path& path) {
    std::error_code ec;
    auto want = std::filesystem::weakly_canonical(path, ec);
    const MountEntry* found = nullptr;
    for (const auto& m : mounts)
        if (std::filesystem::path(m.point) == want)
            found = &m;
    return found;
}

std::vector<std::string> parse_mount_points(std::string_view mounts_text) {
    std::vector<std::string> out;
    for (auto& m : parse_mounts(mounts_text))
        out.push_back(std::move(m.point));
    return out;
}

Result<std::vector<std::string>> read_mount_points(const std::filesystem::path& mounts_file) {
    auto mounts = read_mounts(mounts_file);
    if (!mounts)
        return std::unexpected(mounts.error());
    std::vector<std::string> points;
    for (auto& m : *mounts)
        points.push_back(std::move(m.point));
    return points;
}

} // namespace mpyship
