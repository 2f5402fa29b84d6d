// An index over entries kept elsewhere in first-use order (the qstr and constant tables): open addressing
// where a slot holds an entry's hash and its position + 1 (0: empty), kept at most half full so probes stay
// short. The caller decides equality, so entries with one hash can still differ (unequal NaNs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpyship::compiler {

template <typename Hash> class OpenIndex {
  public:
    explicit OpenIndex(std::size_t first_size) : m_first_size(first_size) {}

    // The position `equal` accepts among the entries with `hash`; otherwise `add()` appends the entry and
    // its position (`count`, the number of entries before it) is returned.
    template <typename Equal, typename Add>
    std::uint32_t find_or_add(Hash hash, std::size_t count, Equal&& equal, Add&& add) {
        if ((count + 1) * 2 > m_slots.size())
            grow();
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = std::size_t(hash) & mask;
        for (; m_slots[i].index_plus_one != 0; i = (i + 1) & mask)
            if (m_slots[i].hash == hash && equal(m_slots[i].index_plus_one - 1))
                return m_slots[i].index_plus_one - 1;
        add();
        m_slots[i] = Slot{hash, std::uint32_t(count + 1)};
        return std::uint32_t(count);
    }

    // The position `equal` accepts among the entries with `hash`, or k_absent (the index is not changed).
    static constexpr std::uint32_t k_absent = UINT32_MAX;
    template <typename Equal> std::uint32_t find(Hash hash, Equal&& equal) const {
        if (m_slots.empty())
            return k_absent;
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = std::size_t(hash) & mask; m_slots[i].index_plus_one != 0; i = (i + 1) & mask)
            if (m_slots[i].hash == hash && equal(m_slots[i].index_plus_one - 1))
                return m_slots[i].index_plus_one - 1;
        return k_absent;
    }

    void clear() { m_slots.clear(); }

  private:
    struct Slot {
        Hash hash = 0;
        std::uint32_t index_plus_one = 0;
    };
    std::size_t m_first_size;
    std::vector<Slot> m_slots;

    void grow() {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.empty() ? m_first_size : old.size() * 2, Slot{});
        const std::size_t mask = m_slots.size() - 1;
        for (const Slot& slot : old) {
            if (slot.index_plus_one == 0)
                continue;
            std::size_t i = std::size_t(slot.hash) & mask;
            while (m_slots[i].index_plus_one != 0)
                i = (i + 1) & mask;
            m_slots[i] = slot;
        }
    }
};

} // namespace mpyship::compiler
