// The texts of one compile's qstr operands, each kept once. Emitters record a small id per operand instead
// of a string copy, and the module builder numbers each id's text once however often the code uses it
// (a name is typically loaded or stored several times per scope), instead of hashing it at every use.
#pragma once

#include "mpyship/compiler/open_index.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::compiler {

// A fast hash of short texts, 8 bytes at a time (qstrs are mostly identifiers of a few bytes).
std::uint32_t text_hash(std::string_view text);

// A text's id in its pool: a distinct type, so an emitter call cannot take a local number for it.
struct QstrId {
    std::uint32_t value;
};

class QstrPool {
  public:
    std::uint32_t intern(std::string_view text); // the id of `text`, added on first sight
    static constexpr std::uint32_t k_none = UINT32_MAX; // never an id: "not interned yet"
    const std::string& text(std::uint32_t id) const { return m_texts[id]; }
    std::size_t size() const { return m_texts.size(); }
    std::string take_text(std::uint32_t id) { return std::move(m_texts[id]); } // leaves the pool unusable
    // The runtime's static qstr index of the text (found by the hash the pool keeps), if it has one.
    std::optional<std::uint32_t> static_index(std::uint32_t id) const;

  private:
    std::vector<std::string> m_texts;
    std::vector<std::uint32_t> m_hashes; // text_hash of each text
    OpenIndex<std::uint32_t> m_index{256};
};

} // namespace mpyship::compiler
