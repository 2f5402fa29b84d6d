// Line-oriented reading of small text files and command output (INFO_UF2.TXT, flash_args, Intel HEX,
// `git ls-remote`, boot_out.txt): the lines without their '\n', and blank-trimmed views.
#pragma once

#include <string_view>
#include <vector>

namespace mpyship {

// The lines of `text` without '\n' (a '\r' before it stays, for trim to drop); a last line without a newline
// counts, a final empty one does not.
inline std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t nl = text.find('\n', start);
        lines.push_back(text.substr(start, nl == text.npos ? text.npos : nl - start));
        start = nl == text.npos ? text.size() : nl + 1;
    }
    return lines;
}

// Without leading and trailing spaces, tabs and '\r'.
inline std::string_view trim(std::string_view s) {
    constexpr std::string_view k_blank = " \t\r";
    auto first = s.find_first_not_of(k_blank);
    if (first == s.npos)
        return {};
    return s.substr(first, s.find_last_not_of(k_blank) - first + 1);
}

} // namespace mpyship
