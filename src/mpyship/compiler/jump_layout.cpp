// Jump layout: sizing passes over labels and jumps only, then one writing pass over the items.
#include "mpyship/compiler/jump_layout.h"

#include "mpyship/compiler/line_table.h"
#include "mpyship/mpy/opcodes.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace mpyship::compiler {
namespace {

constexpr std::int64_t k_short_signed_min = -64, k_short_signed_max = 63, k_short_unsigned_max = 127;
constexpr std::int64_t k_long_signed_bias = 0x4000, k_short_signed_bias = 0x40, k_long_max = 0x7fff;

bool is_signed_jump(std::uint8_t opcode) {
    return opcode <= mpy::op::POP_JUMP_IF_FALSE;
}

// Appends to a byte vector (put_signed_vuint).
struct WritingSink {
    mpy::Bytes& out;
    void byte(std::uint8_t b) { out.push_back(b); }
    std::size_t size() const { return out.size(); }
};

// Where the final pass puts its bytes: a buffer sized by the sizing passes (plus room for one opcode),
// written through a pointer that stays in a register.
struct BufferSink {
    std::uint8_t* p;
    std::uint8_t* start;
    void byte(std::uint8_t b) { *p++ = b; }
    std::size_t size() const { return std::size_t(p - start); }
};

// Counts bytes: sizes the operands that never change between passes.
struct CountingSink {
    std::size_t n = 0;
    void byte(std::uint8_t) { ++n; }
    std::size_t size() const { return n; }
};

constexpr std::size_t k_max_op_bytes = 16; // opcode, a 10-byte vuint or a 2-byte jump, a trailing byte

[[noreturn]] void layout_mismatch(std::size_t written, std::size_t sized) {
    std::fprintf(stderr, "%s:%d: jump layout wrote %zu bytes, sized %zu\n", __FILE__, __LINE__, written,
                 sized);
    std::abort();
}

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

bool fits_short(bool is_signed, std::int64_t offset) {
    if (is_signed)
        return k_short_signed_min <= offset && offset <= k_short_signed_max;
    return 0 <= offset && offset <= k_short_unsigned_max;
}

// The code reduced to what sizing needs: labels and jumps, each with the fixed-size bytes before it.
// Sizing passes replay these events instead of the whole item list.
struct SizingEvent {
    std::uint32_t fixed_before; // bytes of ordinary opcodes since the previous event
    std::uint32_t label;        // the label placed here, or the jump's target
    std::uint8_t opcode;        // the jump's opcode
    bool is_label;
};

// The layout's working vectors, kept per thread so that laying out a scope allocates nothing once they
// have grown (lay_out_code does not recurse).
struct Scratch {
    std::vector<SizingEvent> events;
    std::vector<std::size_t> label_offsets;
    std::vector<std::size_t> start_offsets;
};
thread_local Scratch t_scratch;

class Layout {
  public:
    Layout(const std::vector<CodeItem>& items, std::size_t n_labels)
        : m_items(items), m_events(t_scratch.events), m_label_offsets(t_scratch.label_offsets) {
        m_label_offsets.assign(n_labels, 0);
        m_events.clear();
        collect_events();
    }

    // One sizing pass; the first (`maximal`) gives every jump 3 bytes. Returns the code size.
    std::size_t size_pass(bool maximal) {
        std::size_t pos = 0;
        for (const SizingEvent& e : m_events) {
            pos += e.fixed_before;
            if (e.is_label) {
                m_label_offsets[e.label] = pos;
                continue;
            }
            const std::int64_t offset = std::int64_t(m_label_offsets[e.label]) - std::int64_t(pos) - 2;
            pos += !maximal && fits_short(is_signed_jump(e.opcode), offset) ? 2 : 3;
        }
        return pos + m_tail;
    }

    // The final pass: writes the bytes (and the line table) from the current label offsets.
    // `out` holds `size` bytes plus k_max_op_bytes; the pass must write exactly `size` (an invariant).
    void write(std::uint8_t* out, std::size_t size, LineTable* lines) {
        m_overflow = false;
        BufferSink sink{out, out};
        for (const CodeItem& item : m_items) {
            if (item.kind == ItemKind::label) {
                m_label_offsets[std::size_t(item.value)] = sink.size();
            } else if (item.kind == ItemKind::line && lines) {
                lines->mark(sink.size(), std::uint32_t(item.value));
            } else if (item.kind == ItemKind::op && !item.dead) {
                if (sink.size() > size)
                    layout_mismatch(sink.size(), size);
                put_op(sink, item);
            }
        }
        if (sink.size() != size)
            layout_mismatch(sink.size(), size);
    }

    bool overflow() const { return m_overflow; }
    std::size_t line_marks() const { return m_line_marks; }
    const std::vector<std::size_t>& label_offsets() const { return m_label_offsets; }
    void set_label_offsets(const std::vector<std::size_t>& offsets) { m_label_offsets = offsets; }

  private:
    void collect_events() {
        std::uint32_t fixed = 0;
        for (const CodeItem& item : m_items) {
            if (item.kind == ItemKind::label) {
                m_events.push_back({fixed, std::uint32_t(item.value), 0, true});
                fixed = 0;
            } else if (item.kind == ItemKind::line) {
                ++m_line_marks;
            } else if (item.kind == ItemKind::op && !item.dead) {
                if (item.operand == OperandKind::jump) {
                    m_events.push_back({fixed, std::uint32_t(item.value), item.opcode, false});
                    fixed = 0;
                } else {
                    CountingSink counter;
                    put_plain_op(counter, item);
                    fixed += std::uint32_t(counter.size());
                }
                fixed += item.trailing_byte >= 0 ? 1 : 0;
            }
        }
        m_tail = fixed;
    }

    template <typename Sink> static void put_plain_op(Sink& sink, const CodeItem& item) {
        sink.byte(item.opcode);
        if (item.operand == OperandKind::sint)
            put_signed_vuint_to(sink, item.value);
        else if (item.operand != OperandKind::none)
            put_vuint_to(sink, std::uint64_t(item.value));
    }

    void put_op(BufferSink& sink, const CodeItem& item) {
        if (item.operand == OperandKind::jump)
            put_jump(sink, item.opcode, std::size_t(item.value));
        else
            put_plain_op(sink, item);
        if (item.trailing_byte >= 0)
            sink.byte(std::uint8_t(item.trailing_byte));
    }

    void put_jump(BufferSink& sink, std::uint8_t opcode, std::size_t label) {
        const bool is_signed = is_signed_jump(opcode);
        std::int64_t offset = std::int64_t(m_label_offsets[label]) - std::int64_t(sink.size()) - 2;
        sink.byte(opcode);
        if (fits_short(is_signed, offset)) {
            sink.byte(std::uint8_t(offset + (is_signed ? k_short_signed_bias : 0)));
            return;
        }
        offset -= 1;
        if (is_signed)
            offset += k_long_signed_bias;
        if (offset < 0 || offset > k_long_max)
            m_overflow = true;
        sink.byte(std::uint8_t(0x80 | (offset & 0x7f)));
        sink.byte(std::uint8_t((offset >> 7) & 0xff));
    }

    const std::vector<CodeItem>& m_items;
    std::vector<SizingEvent>& m_events;
    std::uint32_t m_tail = 0; // fixed bytes after the last event
    std::size_t m_line_marks = 0;
    std::vector<std::size_t>& m_label_offsets;
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
    std::size_t previous_size = layout.size_pass(true);
    std::vector<std::size_t>& start_offsets = t_scratch.start_offsets;
    for (;;) {
        start_offsets = layout.label_offsets();
        const std::size_t size = layout.size_pass(false);
        if (size == previous_size)
            break;
        previous_size = size;
    }
    layout.set_label_offsets(start_offsets);
    LaidOutCode result;
    result.bytecode.resize(previous_size + k_max_op_bytes);
    LineTable lines;
    if (with_line_info)
        lines.reserve(layout.line_marks() * 2); // an entry per mark, most of them one byte
    layout.write(result.bytecode.data(), previous_size, with_line_info ? &lines : nullptr);
    result.bytecode.resize(previous_size);
    result.line_info = lines.take_bytes();
    result.overflow = layout.overflow();
    return result;
}

} // namespace mpyship::compiler
