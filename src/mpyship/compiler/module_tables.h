// The module-wide qstr and constant tables. Both grow in first-use order and never hold duplicates:
// qstrs are equal when their text is; constants when they are "strictly equal" in the reference's sense
// (same type and value, so 1 != 1.0 != True, 0.0 != -0.0, and a NaN equals nothing).
#pragma once

#include "mpyship/compiler/open_index.h"
#include "mpyship/mpy/model.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::compiler {

class QstrTable {
  public:
    std::uint32_t use(std::string_view text); // index of `text`, appended on first use
    std::vector<mpy::Qstr> entries() const;   // static qstrs are stored by their static index
    std::vector<mpy::Qstr> take_entries();    // the same, moving the texts out (leaves the table unusable)

  private:
    // A module uses a few hundred qstrs, each looked up several times.
    std::vector<std::string> m_texts;
    OpenIndex<std::uint32_t> m_index{256};
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
