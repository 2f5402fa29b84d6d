// Longest-common-subsequence line diff; only the neighbourhood of changes is printed.
#include "line_diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace mpyship::test {
namespace {

constexpr std::size_t k_context = 2;
constexpr std::size_t k_max_cells = 40'000'000; // beyond this the LCS table costs too much memory

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    if (!text.empty() && text.back() != '\n')
        lines.back() += "  (no newline at end)";
    return lines;
}

struct DiffLine {
    char mark; // ' ', '-' or '+'
    std::string text;
};

std::vector<DiffLine> align(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::vector<std::uint32_t>> lcs(a.size() + 1, std::vector<std::uint32_t>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<DiffLine> out;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            out.push_back({' ', a[i++]});
            ++j;
        } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
            out.push_back({'-', a[i++]});
        } else {
            out.push_back({'+', b[j++]});
        }
    }
    return out;
}

bool near_change(const std::vector<DiffLine>& lines, std::size_t k) {
    const std::size_t from = k >= k_context ? k - k_context : 0;
    const std::size_t to = std::min(lines.size(), k + k_context + 1);
    for (std::size_t d = from; d < to; ++d)
        if (lines[d].mark != ' ')
            return true;
    return false;
}

} // namespace

std::string line_diff(const std::string& expected, const std::string& actual) {
    const auto a = split_lines(expected), b = split_lines(actual);
    if ((a.size() + 1) * (b.size() + 1) > k_max_cells)
        return "(too large to diff)\n";
    const auto lines = align(a, b);
    std::string text;
    for (std::size_t k = 0; k < lines.size(); ++k)
        if (near_change(lines, k))
            text += std::string(1, lines[k].mark) + " " + lines[k].text + "\n";
    return text;
}

} // namespace mpyship::test
