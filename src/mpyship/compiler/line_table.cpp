#include "mpyship/compiler/line_table.h"

#include <algorithm>

namespace mpyship::compiler {
namespace {

constexpr std::size_t k_short_max_bytes = 0x1f, k_long_max_bytes = 0x0f;
constexpr std::uint32_t k_short_max_lines = 3, k_long_max_lines = 0x7ff;
// The long form is only chosen for more than this many lines, and only when its byte field suffices.
constexpr std::uint32_t k_long_form_min_lines = 7;

} // namespace

void LineTable::mark(std::size_t bytecode_offset, std::uint32_t line) {
    if (line <= m_last_line)
        return;
    put_skip(bytecode_offset - m_last_offset, line - m_last_line);
    m_last_offset = bytecode_offset;
    m_last_line = line;
}

void LineTable::put_skip(std::size_t bytes, std::uint32_t lines) {
    while (bytes > 0 || lines > 0) {
        if (lines < k_long_form_min_lines || bytes > k_long_max_bytes) {
            std::size_t b = std::min(bytes, k_short_max_bytes);
            // Lines may only advance once every skipped byte has been accounted for.
            std::uint32_t l = b < bytes ? 0 : std::min(lines, k_short_max_lines);
            m_bytes.push_back(std::uint8_t(b | l << 5));
            bytes -= b;
            lines -= l;
        } else {
            std::size_t b = bytes;
            std::uint32_t l = std::min(lines, k_long_max_lines);
            m_bytes.push_back(std::uint8_t(0x80 | b | ((l >> 4) & 0x70)));
            m_bytes.push_back(std::uint8_t(l & 0xff));
            bytes = 0;
            lines -= l;
        }
    }
}

} // namespace mpyship::compiler
