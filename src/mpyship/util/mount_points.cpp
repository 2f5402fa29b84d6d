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

std::vector<std::string> parse_mount_points(std::string_view mounts_text) {
    std::vector<std::string> out;
    for (std::string_view line : split_lines(mounts_text)) {
        auto a = line.find(' ');
        auto b = a == line.npos ? line.npos : line.find(' ', a + 1);
        if (b != line.npos)
            out.push_back(decode_mount_escapes(line.substr(a + 1, b - a - 1)));
    }
    return out;
}

Result<std::vector<std::string>> read_mount_points(const std::filesystem::path& mounts_file) {
    auto text = read_text_file(mounts_file);
    if (!text)
        return std::unexpected(text.error());
    return parse_mount_points(*text);
}

} // namespace mpyship
