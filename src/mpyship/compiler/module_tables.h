// The module-wide qstr and constant tables. Both grow in first-use order and never hold duplicates:
// qstrs are equal when their text is; constants when they are "strictly equal" in the reference's sense
// (same type and value, so 1 != 1.0 != True, 0.0 != -0.0, and a NaN equals nothing).
#pragma once

#include "mpyship/compiler/open_index.h"
#include "mpyship/compiler/qstr_pool.h"
#include "mpyship/mpy/model.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::compiler {

// Numbers texts of the module's qstr pool in first-use order. The pool (shared with the emitters) has
// already given each distinct text one id, so numbering an id is an array lookup, not a hash.
class QstrTable {
  public:
    std::uint32_t use(std::string_view text); // index of `text`, appended on first use
    std::uint32_t use_id(std::uint32_t id) { // the same for the text pool() gave `id`
        if (id < m_by_pool_id.size() && m_by_pool_id[id] != 0) // inline: most uses repeat a qstr
            return m_by_pool_id[id] - 1;
        return add_id(id);
    }
    QstrPool& pool() { return *m_pool; }      // stable for the table's lifetime
    std::vector<mpy::Qstr> entries() const;   // static qstrs are stored by their static index
    // The same, moving the texts out of the pool (leaves the table, the pool and its emitters unusable).
    std::vector<mpy::Qstr> take_entries();

  private:
    std::uint32_t add_id(std::uint32_t id);
    std::unique_ptr<QstrPool> m_pool = std::make_unique<QstrPool>();
    std::vector<std::uint32_t> m_order;       // pool ids in table order
    std::vector<std::uint32_t> m_by_pool_id; // pool id -> index + 1 (0: not used yet)
};

class ConstantTable {
  public:
    std::uint32_t use(mpy::Constant constant); // index of a strictly equal entry, or of `constant` appended
    const std::vector<mpy::Constant>& entries() const { return m_constants; }
    std::vector<mpy::Constant> take_entries() { return std::move(m_constants); } // leaves the table unusable

  private:
    // Entries by a hash of (kind, text, items): strictly equal constants hash alike, so only the entries
    // with the same hash need comparing (at most one of them can be strictly equal to a new constant;
    // unequal NaNs share a hash and get a slot each).
    std::vector<mpy::Constant> m_constants;
    OpenIndex<std::size_t> m_index{64};
};

bool strictly_equal(const mpy::Constant& a, const mpy::Constant& b);

} // namespace mpyship::compiler
