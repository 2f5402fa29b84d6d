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
    return m_index.find_or_add(
        text_hash(text), m_texts.size(), [&](std::uint32_t i) { return m_texts[i] == text; },
        [&] { m_texts.emplace_back(text); });
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
    m_index.clear();
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
    if (m_constants.empty())
        m_constants.reserve(32); // spares the first regrowths, each of which moves every entry
    return m_index.find_or_add(
        constant_hash(constant), m_constants.size(),
        [&](std::uint32_t i) { return strictly_equal(m_constants[i], constant); },
        [&] { m_constants.push_back(std::move(constant)); });
}

// Values are compared through their canonical repr text, which is exact for ints, floats (including the
// sign of zero) and complex numbers. NaN equals nothing, as in the reference, except that the one shared
// math.nan object is identical to itself (the reference compares identity first).
bool strictly_equal(const mpy::Constant& a, const mpy::Constant& b) {
    if (a.kind != b.kind || a.items.size() != b.items.size())
        return false;
    if ((a.kind == mpy::ObjKind::float_ || a.kind == mpy::ObjKind::complex) &&
        a.data.find("nan") != std::string::npos)
        return a.shared_object && b.shared_object;
    if (a.data != b.data)
        return false;
    for (std::size_t i = 0; i < a.items.size(); ++i)
        if (!strictly_equal(a.items[i], b.items[i]))
            return false;
    return true;
}

} // namespace mpyship::compiler
