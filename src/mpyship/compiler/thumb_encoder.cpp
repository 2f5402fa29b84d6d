#include "mpyship/compiler/thumb_encoder.h"

#include <bit>
#include <cassert>

namespace mpyship::compiler::thumb {

namespace {

constexpr std::uint32_t k_nop = 0xbf00;
constexpr std::uint32_t k_ldr_r1_literal = 0x4900; // ldr r1, [pc, #0]
constexpr std::uint32_t k_add_pc_r1 = 0x448f;      // add pc, r1
constexpr std::size_t k_slot_aligned = 8;          // ldr, add, literal word
constexpr std::size_t k_slot_unaligned = 10;       // with a nop first

bool fits_b(std::int64_t off) { return off >= -2048 && off <= 2046; }
bool fits_b_cond(std::int64_t off) { return off >= -256 && off <= 254; }

std::uint32_t invert(Cond c) { return std::uint32_t(c) ^ 1; }

} // namespace

void Encoder::word(std::uint32_t v) {
    op16(v & 0xffff);
    op16(v >> 16);
}

void Encoder::label_word(std::uint32_t label) {
    if (!m_suppressed)
        m_fixups.push_back({m_bytes.size(), 4, Form::data, Cond::eq, label});
    word(0);
}

void Encoder::add_reg_reg(Reg dst, Reg a, Reg b) {
    op16(0x1800 | unsigned(b) << 6 | unsigned(a) << 3 | unsigned(dst));
}

void Encoder::op16(std::uint32_t v) {
    if (m_suppressed)
        return;
    m_bytes.push_back(std::uint8_t(v));
    m_bytes.push_back(std::uint8_t(v >> 8));
}

void Encoder::op32(std::uint32_t halfwords) {
    op16(halfwords >> 16);
    op16(halfwords & 0xffff);
}

void Encoder::mov_reg_reg(Reg dst, Reg src) {
    if (dst == src) // as the reference: no instruction
        return;
    op16(0x4600 | (dst & 8u) << 4 | unsigned(src) << 3 | (dst & 7u));
}

void Encoder::mov_reg_imm(Reg dst, std::uint32_t imm) {
    if (imm <= 0xff)
        op16(0x2000 | unsigned(dst) << 8 | imm); // movs
    else if (!m_thumb2)
        mov_imm_v6m(dst, imm);
    else if (imm <= 0xffff)
        op32(move_wide(false, dst, imm));
    else {
        op32(move_wide(false, dst, imm & 0xffff));
        op32(move_wide(true, dst, imm >> 16));
    }
}

// A byte shifted left (movs, lsls), 16 bits (movs, lsls #8, adds), either negated (negs), else a literal
// word that a short branch steps over (the load wants it word-aligned: a nop first when needed).
bool Encoder::mov_small_v6m(Reg dst, std::uint32_t v) {
    const unsigned d = dst;
    const unsigned shift = v == 0 ? 0 : unsigned(std::countr_zero(v));
    if ((v >> shift) <= 0xff) {
        op16(0x2000 | d << 8 | v >> shift);
        op16(shift << 6 | d << 3 | d); // lsls d, d, #shift
    } else if (v <= 0xffff) {
        op16(0x2000 | d << 8 | v >> 8);
        op16(8u << 6 | d << 3 | d);
        op16(0x3000 | d << 8 | (v & 0xff)); // adds
    } else {
        return false;
    }
    return true;
}

// A negative value is only tried negated (as the reference: -2^30 is movs #1, lsls #30, negs, not movs #3,
// lsls #30).
void Encoder::mov_imm_v6m(Reg dst, std::uint32_t imm) {
    if (std::int32_t(imm) >= 0 && mov_small_v6m(dst, imm))
        return;
    if (mov_small_v6m(dst, 0u - imm)) {
        op16(0x4240 | unsigned(dst) << 3 | unsigned(dst)); // negs
        return;
    }
    if (m_bytes.size() % 4 == 2)
        op16(k_nop);
    op16(0x4800 | unsigned(dst) << 8); // ldr dst, [pc, #0]
    op16(b_narrow(2));
    word(imm);
}

namespace {

// Element sizes 1, 2 and 4: the 16-bit forms (5-bit index) and the Thumb-2 forms (12-bit offset).
constexpr std::uint32_t k_load_narrow[] = {0, 0x7800, 0x8800, 0, 0x6800};  // ldrb, ldrh, ldr
constexpr std::uint32_t k_store_narrow[] = {0, 0x7000, 0x8000, 0, 0x6000}; // strb, strh, str
constexpr std::uint32_t k_load_wide[] = {0, 0xf890, 0xf8b0, 0, 0xf8d0};
constexpr std::uint32_t k_store_wide[] = {0, 0xf880, 0xf8a0, 0, 0xf8c0};

std::uint32_t max_narrow(int size) {
    return 31u * std::uint32_t(size);
}

} // namespace

// An offset beyond the direct forms goes into a register: an 8-bit halfword or word index shifted back
// (armv6m, when it fits: a word load's index of 116 is movs #116, lsls #2, not movs #29, lsls #4), else
// any immediate.
void Encoder::mov_excess(Reg r, std::uint32_t excess, int size) {
    const unsigned d = r;
    const unsigned shift = size == 2 ? 1 : size == 4 ? 2 : 0;
    if (shift != 0 && !m_thumb2 && (excess >> shift) <= 0xff) {
        op16(0x2000 | d << 8 | excess >> shift);
        op16(shift << 6 | d << 3 | d); // lsls r, r, #shift
    } else {
        mov_reg_imm(r, excess);
    }
}

// Offsets beyond the short form (armv6m) or the 12-bit one (Thumb-2): the excess is added to the base in
// dst, as an 8-bit immediate when it fits, else from a register (dst itself, or a saved temporary when
// dst is the base).
void Encoder::load_far(int size, Reg dst, Reg base, std::uint32_t offset) {
    const std::uint32_t excess = offset - max_narrow(size);
    const unsigned d = dst;
    if (excess <= 0xff) {
        mov_reg_reg(dst, base);
        op16(0x3000 | d << 8 | excess); // adds dst, #excess
    } else if (dst != base) {
        mov_excess(dst, excess, size);
        op16(0x1800 | unsigned(base) << 6 | d << 3 | d); // adds dst, dst, base
    } else {
        const Reg temp = dst == r0 ? r7 : r0;
        push(temp);
        mov_reg_imm(temp, excess);
        op16(0x1800 | unsigned(temp) << 6 | d << 3 | d);
        pop(temp);
    }
    op16(k_load_narrow[size] | 31u << 6 | d << 3 | d);
}

// A store moves the base itself (saved around it); a wide excess comes from a temporary, saved too.
void Encoder::store_far(int size, Reg base, std::uint32_t offset, Reg src) {
    const std::uint32_t excess = offset - max_narrow(size);
    const unsigned b = base;
    push(base);
    if (excess <= 0xff) {
        op16(0x3000 | b << 8 | excess); // adds base, #excess
    } else {
        const Reg temp = Reg(7 - b);
        push(temp);
        mov_excess(temp, excess, size == 2 ? 2 : 0); // (a word store's excess: any immediate)
        op16(0x1800 | unsigned(temp) << 6 | b << 3 | b); // adds base, base, temp
        pop(temp);
    }
    op16(k_store_narrow[size] | 31u << 6 | b << 3 | unsigned(src));
    pop(base);
}

void Encoder::load_sized(int size, Reg dst, Reg base, std::uint32_t offset) {
    if (offset <= max_narrow(size))
        op16(k_load_narrow[size] | (offset / std::uint32_t(size)) << 6 | unsigned(base) << 3 | unsigned(dst));
    else if (m_thumb2 && offset < 4096)
        op32(halfwords(k_load_wide[size] | unsigned(base), unsigned(dst) << 12 | offset));
    else
        load_far(size, dst, base, offset);
}

void Encoder::store_sized(int size, Reg base, std::uint32_t offset, Reg src) {
    if (offset <= max_narrow(size))
        op16(k_store_narrow[size] | (offset / std::uint32_t(size)) << 6 | unsigned(base) << 3 | unsigned(src));
    else if (m_thumb2 && offset < 4096)
        op32(halfwords(k_store_wide[size] | unsigned(base), unsigned(src) << 12 | offset));
    else
        store_far(size, base, offset, src);
}

void Encoder::load(Reg dst, Reg base, std::uint32_t offset) {
    assert(offset % 4 == 0);
    if (base == sp) {
        assert(offset <= 1020);
        op16(0x9800 | unsigned(dst) << 8 | offset >> 2);
    } else {
        load_sized(4, dst, base, offset);
    }
}

void Encoder::load_u16(Reg dst, Reg base, std::uint32_t offset) {
    load_sized(2, dst, base, offset);
}

void Encoder::store(Reg base, std::uint32_t offset, Reg src) {
    assert(offset % 4 == 0 && (base != sp || offset <= 1020u)); // off another register store_sized goes far
    if (base == sp)
        op16(0x9000 | unsigned(src) << 8 | offset >> 2);
    else
        store_sized(4, base, offset, src);
}

void Encoder::push(Reg r) {
    op16(0xb400 | 1u << r);
}

void Encoder::pop(Reg r) {
    op16(0xbc00 | 1u << r);
}

void Encoder::lea_sp(Reg dst, std::uint32_t offset) {
    assert(offset % 4 == 0 && offset <= 1020);
    op16(0xa800 | unsigned(dst) << 8 | offset >> 2);
}

// Beyond the 16-bit form's 508 bytes: subw/addw (Thumb-2), or 508-byte steps then the rest (armv6m).
void Encoder::adjust_sp(bool grow, std::uint32_t bytes) {
    constexpr std::uint32_t k_narrow_max = 508;
    assert(bytes % 4 == 0 && bytes < 4096);
    if (bytes == 0)
        return;
    if (bytes > k_narrow_max && m_thumb2) {
        op32(halfwords((grow ? 0xf2ad : 0xf20d) | (bytes >> 11 & 1) << 10, (bytes >> 8 & 7) << 12 | 0xd00 | (bytes & 0xff)));
        return;
    }
    for (; bytes > k_narrow_max; bytes -= k_narrow_max)
        op16((grow ? 0xb080 : 0xb000) | k_narrow_max >> 2);
    op16((grow ? 0xb080 : 0xb000) | bytes >> 2);
}

void Encoder::blx(Reg r) {
    op16(0x4780 | unsigned(r) << 3);
}

void Encoder::bx(Reg r) {
    op16(0x4700 | unsigned(r) << 3);
}

// The offset is written as movw (Thumb-2) or movs/lsls #8/adds (armv6m) whatever its value, so the size
// is known before the label is; finish() fills it in.
void Encoder::lea_label(Reg dst, std::uint32_t label) {
    if (m_suppressed)
        return;
    const unsigned d = dst;
    const std::size_t size = m_thumb2 ? 8 : 10;
    m_fixups.push_back({m_bytes.size(), size, Form::lea, Cond::eq, label});
    if (m_thumb2) {
        op32(move_wide(false, d, 0));
    } else {
        op16(0x2000 | d << 8);
        op16(8u << 6 | d << 3 | d);
        op16(0x3000 | d << 8);
    }
    op16(0xb200 | d << 3 | d); // sxth d, d
    op16(0x4478 | d);          // add d, pc
}

void Encoder::patch_lea(const Fixup& f, std::int64_t target) {
    const std::size_t add_at = f.at + f.size - 2;
    const auto off = std::uint32_t(target - std::int64_t(add_at + 4) + 1) & 0xffff;
    const unsigned d = m_bytes[add_at] & 7u;
    if (m_thumb2) {
        const std::uint32_t hw = move_wide(false, d, off);
        patch16(f.at, hw >> 16);
        patch16(f.at + 2, hw & 0xffff);
    } else {
        patch16(f.at, 0x2000 | d << 8 | off >> 8);
        patch16(f.at + 4, 0x3000 | d << 8 | (off & 0xff));
    }
}

void Encoder::cmp_zero(Reg r) {
    op16(0x2800 | unsigned(r) << 8);
}

void Encoder::bind(std::uint32_t label) {
    m_labels[label] = std::int64_t(m_bytes.size());
}

// The offset of a bound (backward) label from a branch written here.
bool Encoder::backward(std::uint32_t label, std::int64_t& off) const {
    const auto it = m_labels.find(label);
    if (it == m_labels.end())
        return false;
    off = it->second - (std::int64_t(m_bytes.size()) + 4);
    return true;
}

// armv6m: room for the long form at this alignment, filled in by finish().
void Encoder::long_jump_slot(std::uint32_t label) {
    const std::size_t at = m_bytes.size();
    const std::size_t size = at % 4 == 2 ? k_slot_unaligned : k_slot_aligned;
    m_fixups.push_back({at, size, Form::slot, Cond::eq, label});
    for (std::size_t i = 0; i < size; i += 2)
        op16(0);
}

void Encoder::jump(std::uint32_t label) {
    if (m_suppressed)
        return;
    std::int64_t off = 0;
    const bool known = backward(label, off);
    if (known && fits_b(off))
        op16(b_narrow(off));
    else if (!m_thumb2)
        long_jump_slot(label);
    else if (known)
        op32(b_wide(off));
    else {
        m_fixups.push_back({m_bytes.size(), 4, Form::wide, Cond::eq, label});
        op32(0);
    }
}

// armv6m has no 32-bit conditional branch: the inverted condition steps over a long jump.
void Encoder::jump_if(Cond cond, std::uint32_t label) {
    if (m_suppressed)
        return;
    std::int64_t off = 0;
    const bool known = backward(label, off);
    if (known && fits_b_cond(off))
        op16(b_cond_narrow(std::uint32_t(cond), off));
    else if (!m_thumb2 && known && fits_b(off - 2)) {
        op16(b_cond_narrow(invert(cond), 0)); // steps over the b.n after it
        op16(b_narrow(off - 2));
    } else if (!m_thumb2) {
        const std::size_t slot = (m_bytes.size() + 2) % 4 == 2 ? k_slot_unaligned : k_slot_aligned;
        op16(b_cond_narrow(invert(cond), std::int64_t(slot) - 2));
        long_jump_slot(label);
    } else if (known)
        op32(b_cond_wide(std::uint32_t(cond), off));
    else {
        m_fixups.push_back({m_bytes.size(), 4, Form::wide_cond, cond, label});
        op32(0);
    }
}

void Encoder::patch16(std::size_t at, std::uint32_t v) {
    m_bytes[at] = std::uint8_t(v);
    m_bytes[at + 1] = std::uint8_t(v >> 8);
}

// A near target: a short branch and nops; a far one: [nop,] ldr r1, [pc, #0]; add pc, r1; offset.
void Encoder::patch_slot(const Fixup& f, std::int64_t target) {
    const std::int64_t off = target - std::int64_t(f.at + 4);
    if (fits_b(off)) {
        patch16(f.at, b_narrow(off));
        for (std::size_t i = 2; i < f.size; i += 2)
            patch16(f.at + i, k_nop);
        return;
    }
    std::size_t p = f.at;
    if (f.size == k_slot_unaligned) {
        patch16(p, k_nop);
        p += 2;
    }
    patch16(p, k_ldr_r1_literal);
    patch16(p + 2, k_add_pc_r1);
    const auto rel = std::uint32_t(target - std::int64_t(p + 2 + 4));
    for (int i = 0; i < 4; ++i)
        m_bytes[p + 4 + std::size_t(i)] = std::uint8_t(rel >> (8 * i));
}

mpy::Bytes Encoder::finish() {
    for (const Fixup& f : m_fixups) {
        assert(m_labels.contains(f.label));
        const std::int64_t target = m_labels.at(f.label);
        const std::int64_t off = target - std::int64_t(f.at + 4);
        if (f.form == Form::slot) {
            patch_slot(f, target);
            continue;
        }
        if (f.form == Form::lea) {
            patch_lea(f, target);
            continue;
        }
        if (f.form == Form::data) {
            patch16(f.at, std::uint32_t(target) & 0xffff);
            patch16(f.at + 2, std::uint32_t(target) >> 16);
            continue;
        }
        const std::uint32_t hw = f.form == Form::wide ? b_wide(off) : b_cond_wide(std::uint32_t(f.cond), off);
        patch16(f.at, hw >> 16);
        patch16(f.at + 2, hw & 0xffff);
    }
    m_fixups.clear();
    return std::move(m_bytes);
}

} // namespace mpyship::compiler::thumb
