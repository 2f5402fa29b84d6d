// The module-wide qstr and constant tables: first-use numbering, hashed lookups.
#include "mpyship/compiler/module_tables.h"

#include <algorithm>

namespace mpyship::compiler {

std::uint32_t QstrTable::use(std::string_view text) {
    return use_id(m_pool->intern(text));
}

std::uint32_t QstrTable::add_id(std::uint32_t id) {
    if (id >= m_by_pool_id.size())
        m_by_pool_id.resize(std::max(m_pool->size(), std::size_t(id) + 1), 0);
    m_order.push_back(id);
    m_by_pool_id[id] = std::uint32_t(m_order.size());
    return m_by_pool_id[id] - 1;
}

namespace {

mpy::Qstr make_qstr(std::string text, std::optional<std::uint32_t> static_index) {
    mpy::Qstr q;
    if (static_index) {
        q.is_static = true;
        q.static_index = *static_index;
    }
    q.text = std::move(text);
    return q;
}

} // namespace

std::vector<mpy::Qstr> QstrTable::entries() const {
    std::vector<mpy::Qstr> out;
    out.reserve(m_order.size());
    for (const std::uint32_t id : m_order)
        out.push_back(make_qstr(m_pool->text(id), m_pool->static_index(id)));
    return out;
}

std::vector<mpy::Qstr> QstrTable::take_entries() {
    std::vector<mpy::Qstr> out;
    out.reserve(m_order.size());
    for (const std::uint32_t id : m_order) {
        const std::optional<std::uint32_t> static_index = m_pool->static_index(id); // before the text moves
        out.push_back(make_qstr(m_pool->take_text(id), static_index));
    }
    m_order.clear();
    m_by_pool_id.clear();
    return out;
}

namespace {

std::size_t constant_hash(const mpy::Constant& c) {
    std::size_t h = text_hash(c.data) ^ (std::size_t(c.kind) * 0x9e3779b97f4a7c15ull); // text_hash: short texts
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
