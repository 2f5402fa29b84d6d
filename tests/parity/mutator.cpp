#include "mutator.h"

#include "mpyship/util/text_lines.h"

#include <vector>

namespace mpyship::parity {

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines)
        text += l + "\n";
    return text;
}

const std::vector<std::string> k_snippets = {
    "0", "1.0", "256", "-1", "2**64", "1e300", "'s'", "b'b'", "f'{x}'", "None", "(", ")", "[", "]", ":", ",",
    "\n", "\n    ", "lambda: 0", " if a else ", " for i in x", "*", "**", "yield", "await", "\\\n", "#", "'''",
    "\"", "{", "}", "=", ":=", "async ", "1 * 256", "1.0 * 256", "(\n'a'\n'b')", "0x7fffffff", "~", "@"};

} // namespace

std::string Mutator::mutate(const std::string& source) {
    std::string text = source;
    const int edits = 1 + pick(4);
    for (int i = 0; i < edits; ++i)
        text = edit_once(text);
    return text;
}

std::string Mutator::edit_once(const std::string& source) {
    switch (pick(3)) {
    case 0: return line_edit(source);
    case 1: return token_edit(source);
    default: return layout_edit(source);
    }
}

std::string Mutator::line_edit(const std::string& source) {
    const auto views = split_lines(source);
    std::vector<std::string> lines(views.begin(), views.end());
    if (lines.empty())
        return source;
    const std::size_t i = std::size_t(pick(int(lines.size())));
    const std::size_t j = std::size_t(pick(int(lines.size())));
    switch (pick(5)) {
    case 0: lines.erase(lines.begin() + std::ptrdiff_t(i)); break;
    case 1: lines.insert(lines.begin() + std::ptrdiff_t(i), lines[j]); break;
    case 2: std::swap(lines[i], lines[j]); break;
    case 3: lines[i] = "    " + lines[i]; break;
    default:
        if (lines[i].starts_with("    "))
            lines[i] = lines[i].substr(4);
        break;
    }
    return join_lines(lines);
}

std::string Mutator::token_edit(const std::string& source) {
    if (source.empty())
        return k_snippets[std::size_t(pick(int(k_snippets.size())))];
    const std::size_t at = std::size_t(pick(int(source.size())));
    std::size_t end = at;
    while (end < source.size() && end - at < std::size_t(pick(8)) && source[end] != '\n')
        ++end;
    std::string text = source;
    text.replace(at, end - at, k_snippets[std::size_t(pick(int(k_snippets.size())))]);
    return text;
}

// Edits that keep the tokens but change where lines break: after an opening bracket or a comma, a newline
// and some indentation (inside brackets it is only layout); a comment; a literal split in two.
std::string Mutator::layout_edit(const std::string& source) {
    std::vector<std::size_t> spots;
    for (std::size_t i = 0; i < source.size(); ++i)
        if (source[i] == '(' || source[i] == '[' || source[i] == '{' || source[i] == ',')
            spots.push_back(i + 1);
    if (spots.empty())
        return source;
    const std::size_t at = spots[std::size_t(pick(int(spots.size())))];
    std::string insert;
    switch (pick(4)) {
    case 0: insert = "\n" + std::string(std::size_t(pick(10)), ' '); break;
    case 1: insert = "  # note\n    "; break;
    case 2: insert = "\n\n"; break;
    default: insert = "\n 'x'\n 'y' "; break;
    }
    return source.substr(0, at) + insert + source.substr(at);
}

} // namespace mpyship::parity
