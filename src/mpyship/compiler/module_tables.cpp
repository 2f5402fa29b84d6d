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

std::uint32_t ConstantTable::use(const mpy::Constant& constant) {
    for (std::size_t i = 0; i < m_constants.size(); ++i)
        if (strictly_equal(m_constants[i], constant))
            return std::uint32_t(i);
    m_constants.push_back(constant);
    return std::uint32_t(m_constants.size() - 1);
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
