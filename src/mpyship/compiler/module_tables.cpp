// The module-wide qstr and constant tables: first-use numbering, hashed lookups.
#include "mpyship/compiler/module_tables.h"

#include "mpyship/mpy/static_qstrs.h"

#include <cstring>

namespace mpyship::compiler {

namespace {

// A fast hash of short texts, 8 bytes at a time (qstrs are mostly identifiers of a few bytes).
std::uint32_t text_hash(std::string_view text) {
    constexpr std::uint64_t k_mul = 0x9e3779b97f4a7c15ull;
    std::uint64_t h = text.size() * k_mul;
    const char* p = text.data();
    std::size_t n = text.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * k_mul;
        h ^= h >> 29;
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = (h ^ w) * k_mul;
        h ^= h >> 29;
    }
    return std::uint32_t(h ^ (h >> 32));
}

} // namespace

std::uint32_t QstrTable::use(std::string_view text) {
    if ((m_texts.size() + 1) * 2 > m_slots.size())
        grow();
    const std::uint32_t hash = text_hash(text);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = hash & mask;
    for (; m_slots[i].index_plus_one != 0; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.hash == hash && m_texts[slot.index_plus_one - 1] == text)
            return slot.index_plus_one - 1;
    }
    m_texts.emplace_back(text);
    m_slots[i] = Slot{hash, std::uint32_t(m_texts.size())};
    return std::uint32_t(m_texts.size() - 1);
}

void QstrTable::grow() {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 256 : old.size() * 2, Slot{});
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
        if (slot.index_plus_one == 0)
            continue;
        std::size_t i = slot.hash & mask;
        while (m_slots[i].index_plus_one != 0)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

std::vector<mpy::Qstr> QstrTable::entries() const {
    QstrTable copy;
    copy.m_texts = m_texts;
    return copy.take_entries();
}

std::vector<mpy::Qstr> QstrTable::take_entries() {
    std::vector<mpy::Qstr> out;
    out.reserve(m_texts.size());
    for (std::string& text : m_texts) {
        mpy::Qstr q;
        if (auto index = mpy::static_qstr_index(text)) {
            q.is_static = true;
            q.static_index = *index;
        }
        q.text = std::move(text);
        out.push_back(std::move(q));
    }
    m_texts.clear();
    m_slots.clear();
    return out;
}

namespace {

std::size_t constant_hash(const mpy::Constant& c) {
    std::size_t h = std::hash<std::string>{}(c.data) ^ (std::size_t(c.kind) * 0x9e3779b97f4a7c15ull);
    for (const mpy::Constant& item : c.items)
        h = (h * 31) ^ constant_hash(item);
    return h;
}

} // namespace

std::uint32_t ConstantTable::use(mpy::Constant constant) {
    if ((m_constants.size() + 1) * 2 > m_slots.size())
        grow();
    const std::size_t hash = constant_hash(constant);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = hash & mask;
    for (; m_slots[i].index_plus_one != 0; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.hash == hash && strictly_equal(m_constants[slot.index_plus_one - 1], constant))
            return slot.index_plus_one - 1;
    }
    m_constants.push_back(std::move(constant));
    m_slots[i] = Slot{hash, std::uint32_t(m_constants.size())};
    return std::uint32_t(m_constants.size() - 1);
}

void ConstantTable::grow() {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
        if (slot.index_plus_one == 0)
            continue;
        std::size_t i = slot.hash & mask;
        while (m_slots[i].index_plus_one != 0)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

// Values are compared through their canonical repr text, which is exact for ints, floats (including the
// sign of zero) and complex numbers. NaN equals nothing, as in the reference, except that the one shared
// math.nan object is identical to itself (the reference compares identity first).
bool strictly_equal(const mpy::Constant& a, const mpy::Constant& b) {
    if (a.kind != b.kind || a.items.size() != b.items.size())
        return false;
    if ((a.kind == mpy::ObjKind::float_ || a.kind == mpy::ObjKind::complex) && a.data.find("nan") != std::string::npos)
        return a.shared_object && b.shared_object;
    if (a.data != b.data)
        return false;
    for (std::size_t i = 0; i < a.items.size(); ++i)
        if (!strictly_equal(a.items[i], b.items[i]))
            return false;
    return true;
}

} // namespace mpyship::compiler
