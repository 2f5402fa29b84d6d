#include "mpyship/compiler/module_tables.h"

#include "mpyship/mpy/static_qstrs.h"

namespace mpyship::compiler {

std::uint32_t QstrTable::use(const std::string& text) {
    auto [it, added] = m_index.try_emplace(text, std::uint32_t(m_texts.size()));
    if (added)
        m_texts.push_back(text);
    return it->second;
}

std::vector<mpy::Qstr> QstrTable::entries() const {
    std::vector<mpy::Qstr> out;
    for (const std::string& text : m_texts) {
        mpy::Qstr q;
        q.text = text;
        if (auto index = mpy::static_qstr_index(text)) {
            q.is_static = true;
            q.static_index = *index;
        }
        out.push_back(std::move(q));
    }
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

std::uint32_t ConstantTable::use(const mpy::Constant& constant) {
    const std::size_t hash = constant_hash(constant);
    for (auto [it, end] = m_by_hash.equal_range(hash); it != end; ++it)
        if (strictly_equal(m_constants[it->second], constant))
            return it->second;
    const auto index = std::uint32_t(m_constants.size());
    m_constants.push_back(constant);
    m_by_hash.emplace(hash, index);
    return index;
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
