// The bytecode prelude's line-number table. Each time the source line advances (never when it goes back),
// one entry records how many bytecode bytes and how many lines were skipped since the previous entry; the
// table starts at line 1, offset 0. Entries are 0b0LLBBBBB (≤31 bytes, ≤3 lines) or
// 0b1LLLBBBB LLLLLLLL (≤15 bytes, ≤2047 lines); big skips are split over several entries.
#pragma once

#include "mpyship/mpy/model.h"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace mpyship::compiler {

class LineTable {
  public:
    // Code from `bytecode_offset` on belongs to `line`.
    void mark(std::size_t bytecode_offset, std::uint32_t line);
    const mpy::Bytes& bytes() const { return m_bytes; }
    mpy::Bytes take_bytes() { return std::move(m_bytes); } // leaves the table unusable
    void reserve(std::size_t bytes) { m_bytes.reserve(bytes); }

  private:
    void put_skip(std::size_t bytes, std::uint32_t lines);

    mpy::Bytes m_bytes;
    std::size_t m_last_offset = 0;
    std::uint32_t m_last_line = 1;
};

} // namespace mpyship::compiler
