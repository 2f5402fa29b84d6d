#include "mpyship/compiler/jump_layout.h"

#include "mpyship/compiler/line_table.h"
#include "mpyship/mpy/opcodes.h"

#include <cstddef>

namespace mpyship::compiler {
namespace {

constexpr std::int64_t k_short_signed_min = -64, k_short_signed_max = 63, k_short_unsigned_max = 127;
constexpr std::int64_t k_long_signed_bias = 0x4000, k_short_signed_bias = 0x40, k_long_max = 0x7fff;

bool is_signed_jump(std::uint8_t opcode) { return opcode <= mpy::op::POP_JUMP_IF_FALSE; }

// Where a pass puts its bytes: sizing passes only count them, the final pass writes them.
struct CountingSink {
    std::size_t n = 0;
    void byte(std::uint8_t) { ++n; }
    std::size_t size() const { return n; }
};

struct WritingSink {
    mpy::Bytes& out;
    void byte(std::uint8_t b) { out.push_back(b); }
    std::size_t size() const { return out.size(); }
};

template <typename Sink> void put_vuint_to(Sink& sink, std::uint64_t value) {
    std::uint8_t groups[10];
    int n = 0;
    do {
        groups[n++] = value & 0x7f;
        value >>= 7;
    } while (value);
    while (n > 1)
        sink.byte(groups[--n] | 0x80);
    sink.byte(groups[0]);
}

template <typename Sink> void put_signed_vuint_to(Sink& sink, std::int64_t value) {
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
        sink.byte(groups[--n] | 0x80);
    sink.byte(groups[0]);
}

class Layout {
public:
    Layout(const std::vector<CodeItem>& items, std::size_t n_labels)
        : m_items(items), m_label_offsets(n_labels, 0) {}

    // One pass over the code. The first pass (`maximal`) sizes every jump at 2 bytes.
    template <typename Sink> void run_pass(Sink& sink, bool maximal, LineTable* lines) {
        m_overflow = false;
        for (const CodeItem& item : m_items) {
            if (item.kind == ItemKind::label)
                m_label_offsets[std::size_t(item.value)] = sink.size();
            else if (item.kind == ItemKind::line && lines)
                lines->mark(sink.size(), std::uint32_t(item.value));
            else if (item.kind == ItemKind::op && !item.dead)
                put_op(sink, item, maximal);
        }
    }

    bool overflow() const { return m_overflow; }
    const std::vector<std::size_t>& label_offsets() const { return m_label_offsets; }
    void set_label_offsets(const std::vector<std::size_t>& offsets) { m_label_offsets = offsets; }

private:
    template <typename Sink> void put_op(Sink& sink, const CodeItem& item, bool maximal) {
        if (item.operand == OperandKind::jump) {
            put_jump(sink, item.opcode, std::size_t(item.value), maximal);
        } else {
            sink.byte(item.opcode);
            if (item.operand == OperandKind::sint)
                put_signed_vuint_to(sink, item.value);
            else if (item.operand != OperandKind::none)
                put_vuint_to(sink, std::uint64_t(item.value));
        }
        if (item.trailing_byte >= 0)
            sink.byte(std::uint8_t(item.trailing_byte));
    }

    template <typename Sink> void put_jump(Sink& sink, std::uint8_t opcode, std::size_t label, bool maximal) {
        const bool is_signed = is_signed_jump(opcode);
        std::int64_t offset = maximal ? 0 : std::int64_t(m_label_offsets[label]) - std::int64_t(sink.size()) - 2;
        sink.byte(opcode);
        if (!maximal && fits_short(is_signed, offset)) {
            sink.byte(std::uint8_t(offset + (is_signed ? k_short_signed_bias : 0)));
            return;
        }
        offset -= 1;
        if (is_signed)
            offset += k_long_signed_bias;
        if (!maximal && (offset < 0 || offset > k_long_max))
            m_overflow = true;
        sink.byte(std::uint8_t(0x80 | (offset & 0x7f)));
        sink.byte(std::uint8_t((offset >> 7) & 0xff));
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
    WritingSink sink{out};
    put_signed_vuint_to(sink, value);
}

// Sizing passes run until the size repeats; the bytes are then written once, replaying that last pass
// from the label offsets it started with (forward jumps read them), so they equal what it counted.
LaidOutCode lay_out_code(const std::vector<CodeItem>& items, std::size_t n_labels, bool with_line_info) {
    Layout layout(items, n_labels);
    CountingSink first;
    layout.run_pass(first, true, nullptr);
    std::size_t previous_size = first.size();
    std::vector<std::size_t> start_offsets;
    for (;;) {
        start_offsets = layout.label_offsets();
        CountingSink sizing;
        layout.run_pass(sizing, false, nullptr);
        if (sizing.size() == previous_size)
            break;
        previous_size = sizing.size();
    }
    layout.set_label_offsets(start_offsets);
    LaidOutCode result;
    result.bytecode.reserve(previous_size);
    WritingSink sink{result.bytecode};
    LineTable lines;
    layout.run_pass(sink, false, with_line_info ? &lines : nullptr);
    result.line_info = lines.bytes();
    result.overflow = layout.overflow();
    return result;
}

} // namespace mpyship::compiler

