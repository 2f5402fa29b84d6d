#include "mpyship/compiler/xtensa_encoder.h"

#include "mpyship/compiler/compile_error.h"

#include <cassert>

namespace mpyship::compiler::xtensa {

namespace {

constexpr std::uint32_t k_max_narrow_offset = 60;
constexpr std::uint32_t k_max_word_offset = 1020;    // l32i/s32i: 8 bits of words
constexpr std::uint32_t k_max_halfword_offset = 510; // l16ui: 8 bits of halfwords
constexpr std::size_t k_pool_jump_bytes = 4;         // j over the pool and one pad byte

bool fits(std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v >= lo && v <= hi;
}

// Where mpy-cross's code would be wrong: the function is refused (and ships as source).
[[noreturn]] void refuse(const std::string& what) {
    throw CompileError{"NotImplementedError", "mpyship: native code for " + what + " on Xtensa is not implemented yet",
                       SourcePos{0, 0}, "", false, true};
}

} // namespace

void Encoder::op16(std::uint32_t v) {
    if (m_suppressed)
        return;
    m_bytes.push_back(std::uint8_t(v));
    m_bytes.push_back(std::uint8_t(v >> 8));
}

void Encoder::op24(std::uint32_t v) {
    if (m_suppressed)
        return;
    for (int i = 0; i < 3; ++i)
        m_bytes.push_back(std::uint8_t(v >> (8 * i)));
}

void Encoder::patch24(std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 3; ++i)
        m_bytes[at + i] = std::uint8_t(v >> (8 * i));
}

void Encoder::mov_reg_reg(Reg dst, Reg src) {
    if (dst != src)
        op16(mov_n(dst, src));
}

void Encoder::mov_reg_imm(Reg dst, std::int32_t imm) {
    if (fits(imm, -32, 95))
        return op16(movi_n(dst, imm));
    if (fits(imm, -2048, 2047))
        return op24(movi(dst, imm));
    // Unreachable code writes no load, but its literal still takes a word of the pool, as in mpy-cross.
    if (!m_suppressed)
        m_fixups.push_back({m_bytes.size(), Form::literal, std::uint32_t(m_literals.size())});
    m_literals.push_back(std::uint32_t(imm));
    op24(l32r(dst, 0));
}

void Encoder::load(Reg dst, Reg base, std::uint32_t offset) {
    if (offset <= k_max_narrow_offset)
        op16(narrow_load_store(k_l32i_n, dst, base, offset));
    else if (offset <= k_max_word_offset)
        op24(rri8(k_l32i, dst, base, offset >> 2));
    else
        load_far(false, dst, base, offset);
}

void Encoder::load_u16(Reg dst, Reg base, std::uint32_t offset) {
    if (offset <= k_max_halfword_offset)
        op24(rri8(k_l16ui, dst, base, offset >> 1));
    else
        load_far(true, dst, base, offset);
}

// The address in dst (movi + add.n), then the load at offset 0; mpy-cross does the same when dst is
// the base, which loses the base.
void Encoder::load_far(bool halfword, Reg dst, Reg base, std::uint32_t offset) {
    if (dst == base)
        refuse("a table entry beyond the short load's reach");
    mov_reg_imm(dst, std::int32_t(offset));
    add_n(dst, base, dst);
    if (halfword)
        op24(rri8(k_l16ui, dst, dst, 0));
    else
        op16(narrow_load_store(k_l32i_n, dst, dst, 0));
}

void Encoder::store(Reg base, std::uint32_t offset, Reg src) {
    assert(offset <= k_max_word_offset);
    if (offset <= k_max_narrow_offset)
        op16(narrow_load_store(k_s32i_n, src, base, offset));
    else
        op24(rri8(k_s32i, src, base, offset >> 2));
}

void Encoder::load_frame(Reg dst, std::uint32_t offset) {
    assert(offset <= k_max_word_offset);
    op24(rri8(k_l32i, dst, a1, offset >> 2));
}

void Encoder::store_frame(std::uint32_t offset, Reg src) {
    assert(offset <= k_max_word_offset);
    op24(rri8(k_s32i, src, a1, offset >> 2));
}

void Encoder::lea_frame(Reg dst, std::uint32_t offset) {
    if (offset <= 127)
        return op24(rri8(k_addi, dst, a1, offset));
    mov_reg_imm(dst, std::int32_t(offset));
    add_n(dst, dst, a1);
}

void Encoder::add_n(Reg r, Reg s, Reg t) {
    op16(rrr(k_add_n, r, s, t));
}

void Encoder::jx(Reg r) {
    op24(rrr(k_jx, 0, r, 0));
}

// movi dst, distance; call0 to the next word (its return address in a0); pad; add.n dst, dst, a0.
void Encoder::lea_label(Reg dst, std::uint32_t label) {
    if (m_suppressed)
        return;
    m_fixups.push_back({m_bytes.size(), Form::lea, label});
    op24(movi(dst, 0));
    const std::size_t call_at = m_bytes.size();
    const std::size_t next_word = (call_at + 3 + 3) & ~std::size_t(3);
    op24(call0(std::int64_t(next_word - ((call_at & ~std::size_t(3)) + 4)) >> 2));
    m_bytes.resize(next_word, 0);
    add_n(dst, dst, a0);
}

void Encoder::bind(std::uint32_t label) {
    m_labels[label] = std::int64_t(m_bytes.size());
}

void Encoder::jump(std::uint32_t label) {
    if (m_suppressed)
        return;
    const auto known = m_labels.find(label);
    if (known != m_labels.end())
        return op24(j(known->second - std::int64_t(m_bytes.size() + 4)));
    m_fixups.push_back({m_bytes.size(), Form::jump, label});
    op24(j(0));
}

void Encoder::jump_if_zero(bool zero, Reg r, std::uint32_t label) {
    if (m_suppressed)
        return;
    const std::uint32_t bits = zero ? k_beqz : k_bnez;
    const auto known = m_labels.find(label);
    if (known != m_labels.end()) {
        const std::int64_t off = known->second - std::int64_t(m_bytes.size() + 4);
        if (fits(off, -2048, 2047))
            return op24(bri12(bits, r, off));
    }
    op24(bri12(invert_bri12(bits), r, 2)); // over the j
    jump(label);
}

void Encoder::resolve(const Fixup& f, std::size_t pool_bytes) {
    const auto at = std::int64_t(f.at);
    if (f.form == Form::literal) {
        const std::int64_t literal = 4 * std::int64_t(f.target) - std::int64_t(pool_bytes) +
                                     std::int64_t(k_pool_jump_bytes);
        const std::uint32_t t = m_bytes[f.at] >> 4 & 15;
        return patch24(f.at, l32r(t, (literal - ((at + 3) & ~std::int64_t(3))) >> 2));
    }
    const auto label = m_labels.find(f.target);
    assert(label != m_labels.end());
    if (f.form == Form::jump)
        return patch24(f.at, j(label->second - (at + 4)));
    const std::int64_t distance = label->second - (at + 6); // from call0's return address
    if (!fits(distance, -2048, 2047))
        refuse("a handler beyond movi's reach");
    patch24(f.at, movi(m_bytes[f.at] >> 4 & 15, std::int32_t(distance)));
}

mpy::Bytes Encoder::finish(std::optional<std::uint32_t> n_children) {
    const std::size_t pool_bytes = m_literals.empty() ? 0 : k_pool_jump_bytes + 4 * m_literals.size();
    for (const Fixup& f : m_fixups)
        resolve(f, pool_bytes);
    mpy::Bytes out;
    auto put = [&out](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i)
            out.push_back(std::uint8_t(v >> (8 * i)));
    };
    if (n_children)
        put(*n_children, 4);
    if (m_entry_label) {
        assert(m_labels.contains(*m_entry_label));
        put(std::uint32_t(out.size() + 4 + pool_bytes + std::size_t(m_labels.at(*m_entry_label))), 4);
    }
    if (!m_literals.empty()) {
        put(j(std::int64_t(4 * m_literals.size())), 3);
        put(0, 1);
        for (std::uint32_t v : m_literals)
            put(v, 4);
    }
    out.insert(out.end(), m_bytes.begin(), m_bytes.end());
    return out;
}

} // namespace mpyship::compiler::xtensa
