#include "mpyship/project/diagnostic.h"

namespace mpyship::project {
namespace {

std::string_view line_of(std::string_view source, std::uint32_t line) {
    std::size_t start = 0;
    for (std::uint32_t i = 1; i < line; ++i) {
        std::size_t nl = source.find('\n', start);
        if (nl == std::string_view::npos)
            return {};
        start = nl + 1;
    }
    std::size_t end = source.find('\n', start);
    std::string_view text = source.substr(start, end == std::string_view::npos ? source.npos : end - start);
    if (text.ends_with('\r'))
        text.remove_suffix(1);
    return text;
}

// Byte offset of the 1-based code-point column within a UTF-8 line.
std::size_t byte_offset_of_column(std::string_view text, std::uint32_t column) {
    std::size_t i = 0;
    for (std::uint32_t c = 1; c < column && i < text.size(); ++c) {
        ++i;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80)
            ++i;
    }
    return i;
}

} // namespace

std::string format_diagnostic(const compiler::CompileError& e, std::string_view path,
                              std::string_view source) {
    std::string message = e.kind == "SyntaxError" ? e.message : e.kind + ": " + e.message;
    if (e.pos.line == 0)
        return std::string(path) + ": error: " + message + "\n";
    std::uint32_t column = e.pos.column == 0 ? 1 : e.pos.column;
    std::string out = std::string(path) + ":" + std::to_string(e.pos.line) + ":" + std::to_string(column) +
                      ": error: " + message + "\n";
    std::string_view text = line_of(source, e.pos.line);
    if (text.empty())
        return out;
    out += "    " + std::string(text) + "\n    ";
    std::size_t caret = byte_offset_of_column(text, column);
    for (std::size_t i = 0; i < caret; ++i)
        out += text[i] == '\t' ? '\t' : ' ';
    return out + "^\n";
}

} // namespace mpyship::project
