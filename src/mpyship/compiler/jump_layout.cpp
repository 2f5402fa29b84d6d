#include "mpyship/compiler/jump_layout.h"

#include "mpyship/compiler/line_table.h"
#include "mpyship/mpy/opcodes.h"
#include "mpyship/mpy/writer.h"

#include <cstddef>

namespace mpyship::compiler {
namespace {

constexpr std::int64_t k_short_signed_min = -64, k_short_signed_max = 63, k_short_unsigned_max = 127;
constexpr std::int64_t k_long_signed_bias = 0x4000, k_short_signed_bias = 0x40, k_long_max = 0x7fff;

bool is_signed_jump(std::uint8_t opcode) { return opcode <= mpy::op::POP_JUMP_IF_FALSE; }

class Layout {
public:
    Layout(const std::vector<CodeItem>& items, std::size_t n_labels)
        : m_items(items), m_label_offsets(n_labels, 0) {}

    // One pass over the code. The first pass (`maximal`) sizes every jump at 2 bytes.
    mpy::Bytes run_pass(bool maximal, LineTable* lines, std::size_t size_hint) {
        mpy::Bytes out;
        out.reserve(size_hint);
        m_overflow = false;
        for (const CodeItem& item : m_items) {
            if (item.kind == ItemKind::label)
                m_label_offsets[std::size_t(item.value)] = out.size();
            else if (item.kind == ItemKind::line && lines)
                lines->mark(out.size(), std::uint32_t(item.value));
            else if (item.kind == ItemKind::op && !item.dead)
                put_op(out, item, maximal);
        }
        return out;
    }

    bool overflow() const { return m_overflow; }

private:
    void put_op(mpy::Bytes& out, const CodeItem& item, bool maximal) {
        if (item.operand == OperandKind::jump) {
            put_jump(out, item.opcode, std::size_t(item.value), maximal);
        } else {
            out.push_back(item.opcode);
            if (item.operand == OperandKind::sint)
                put_signed_vuint(out, item.value);
            else if (item.operand != OperandKind::none)
                mpy::put_vuint(out, std::uint64_t(item.value));
        }
        if (item.trailing_byte >= 0)
            out.push_back(std::uint8_t(item.trailing_byte));
    }

    void put_jump(mpy::Bytes& out, std::uint8_t opcode, std::size_t label, bool maximal) {
        const bool is_signed = is_signed_jump(opcode);
        std::int64_t offset = maximal ? 0 : std::int64_t(m_label_offsets[label]) - std::int64_t(out.size()) - 2;
        out.push_back(opcode);
        if (!maximal && fits_short(is_signed, offset)) {
            out.push_back(std::uint8_t(offset + (is_signed ? k_short_signed_bias : 0)));
            return;
        }
        offset -= 1;
        if (is_signed)
            offset += k_long_signed_bias;
        if (!maximal && (offset < 0 || offset > k_long_max))
            m_overflow = true;
        out.push_back(std::uint8_t(0x80 | (offset & 0x7f)));
        out.push_back(std::uint8_t((offset >> 7) & 0xff));
    }

    static bool fits_short(bool is_signed, std::int64_t offset) {
        if (is_signed)
            return k_short_signed_min <= offset && offset <= k_short_signed_max;
        return 0 <= offset && offset <= k_short_unsigned_max;
    }

    const std::vector<CodeItem>& m_items;
    std::vector<std::size_t> m_label_offsets;
    bool m_overflow = false;
};

} // namespace

void put_signed_vuint(mpy::Bytes& out, std::int64_t value) {
    std::uint8_t groups[11];
    int n = 0;
    do {
        groups[n++] = std::uint8_t(value & 0x7f);
        value >>= 7;
    } while (value != 0 && value != -1);
    // The top group's bit 6 carries the sign; add a group when it would read wrong.
    const bool top_negative = groups[n - 1] & 0x40;
    if (value == -1 && !top_negative)
        groups[n++] = 0x7f;
    else if (value == 0 && top_negative)
        groups[n++] = 0;
    while (n > 1)
        out.push_back(groups[--n] | 0x80);
    out.push_back(groups[0]);
}

LaidOutCode lay_out_code(const std::vector<CodeItem>& items, std::size_t n_labels, bool with_line_info) {
    Layout layout(items, n_labels);
    std::size_t previous_size = layout.run_pass(true, nullptr, items.size() * 2).size();
    for (;;) {
        LineTable lines;
        mpy::Bytes code = layout.run_pass(false, with_line_info ? &lines : nullptr, previous_size);
        if (code.size() == previous_size)
            return LaidOutCode{std::move(code), lines.bytes(), layout.overflow()};
        previous_size = code.size();
    }
}

} // namespace mpyship::compiler

