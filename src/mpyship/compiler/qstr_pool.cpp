// The per-compile qstr text pool and the text hash it shares with the module's qstr table.
#include "mpyship/compiler/qstr_pool.h"

#include "mpyship/mpy/static_qstrs.h"

#include <cstring>
#include <utility>

namespace mpyship::compiler {

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
    if (n > 0) { // byte by byte: a memcpy of a variable length is a library call
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < n; ++i)
            w |= std::uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
        h = (h ^ w) * k_mul;
        h ^= h >> 29;
    }
    return std::uint32_t(h ^ (h >> 32));
}

std::uint32_t QstrPool::intern(std::string_view text) {
    const std::uint32_t hash = text_hash(text);
    return m_index.find_or_add(
        hash, m_texts.size(), [&](std::uint32_t i) { return m_texts[i] == text; },
        [&] {
            m_texts.emplace_back(text);
            m_hashes.push_back(hash);
        });
}

namespace {

// The runtime's static qstrs indexed by text_hash, built once per process: a module's every distinct qstr
// is looked up here, and the pool has its hash already.
class StaticQstrIndex {
  public:
    StaticQstrIndex() {
        const std::size_t count = mpy::static_qstr_count();
        m_texts.reserve(count);
        for (std::uint32_t i = 1; i <= count; ++i) {
            const std::string_view text = *mpy::static_qstr_text(i);
            m_index.find_or_add(
                text_hash(text), m_texts.size(), [&](std::uint32_t k) { return m_texts[k].first == text; },
                [&] { m_texts.emplace_back(text, i); });
        }
    }
    std::optional<std::uint32_t> find(std::string_view text, std::uint32_t hash) const {
        const std::uint32_t k = m_index.find(hash, [&](std::uint32_t i) { return m_texts[i].first == text; });
        if (k == OpenIndex<std::uint32_t>::k_absent)
            return std::nullopt;
        return m_texts[k].second;
    }

  private:
    std::vector<std::pair<std::string_view, std::uint32_t>> m_texts; // text, static index
    OpenIndex<std::uint32_t> m_index{1024};
};

} // namespace

std::optional<std::uint32_t> QstrPool::static_index(std::uint32_t id) const {
    static const StaticQstrIndex index; // built on first use (thread-safe), then only read
    return index.find(m_texts[id], m_hashes[id]);
}

} // namespace mpyship::compiler
