// The limbs of a BigInt magnitude: a small vector of 32-bit words that keeps up to two limbs (any value
// below 2**64, i.e. nearly every literal and folded constant) inline, so such an int allocates nothing.
// Only the vector operations BigInt's arithmetic uses.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace mpyship::compiler {

class LimbVector {
  public:
    LimbVector() = default;
    LimbVector(std::size_t count, std::uint32_t value) { resize(count, value); }
    LimbVector(std::initializer_list<std::uint32_t> limbs) {
        reserve(limbs.size());
        for (std::uint32_t limb : limbs)
            push_back(limb);
    }
    LimbVector(const LimbVector& other) {
        reserve(other.m_size);
        std::copy(other.begin(), other.end(), data());
        m_size = other.m_size;
    }
    LimbVector(LimbVector&& other) noexcept { take(other); }
    LimbVector& operator=(const LimbVector& other) {
        if (this != &other) {
            LimbVector copy(other);
            release();
            take(copy);
        }
        return *this;
    }
    LimbVector& operator=(LimbVector&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    ~LimbVector() { release(); }

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::uint32_t* data() { return m_data; }
    const std::uint32_t* data() const { return m_data; }
    std::uint32_t& operator[](std::size_t i) { return data()[i]; }
    std::uint32_t operator[](std::size_t i) const { return data()[i]; }
    std::uint32_t& back() { return data()[m_size - 1]; }
    std::uint32_t back() const { return data()[m_size - 1]; }
    std::uint32_t* begin() { return data(); }
    std::uint32_t* end() { return data() + m_size; }
    const std::uint32_t* begin() const { return data(); }
    const std::uint32_t* end() const { return data() + m_size; }

    void push_back(std::uint32_t limb) {
        if (m_size == m_capacity)
            reserve(std::size_t(m_capacity) * 2);
        data()[m_size++] = limb;
    }
    void pop_back() { --m_size; }
    void resize(std::size_t count, std::uint32_t value) {
        reserve(count);
        std::fill(data() + std::min<std::size_t>(m_size, count), data() + count, value);
        m_size = static_cast<std::uint32_t>(count);
    }
    void reserve(std::size_t capacity) {
        if (capacity <= m_capacity)
            return;
        auto* grown = new std::uint32_t[capacity];
        std::copy(begin(), end(), grown);
        const std::uint32_t size = m_size;
        release();
        m_data = grown;
        m_capacity = static_cast<std::uint32_t>(capacity);
        m_size = size;
    }

    friend bool operator==(const LimbVector& a, const LimbVector& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

  private:
    static constexpr std::uint32_t k_inline = 2;
    std::uint32_t m_size = 0;
    std::uint32_t m_capacity = k_inline;
    std::uint32_t m_inline[k_inline] = {0, 0};
    std::uint32_t* m_data = m_inline; // m_inline or a heap block of m_capacity limbs

    bool on_heap() const { return m_capacity > k_inline; }
    void release() {
        if (on_heap())
            delete[] m_data;
        m_data = m_inline;
        m_capacity = k_inline;
        m_size = 0;
    }
    // Takes `other`'s limbs (its storage when on the heap) and leaves it empty; this must be empty.
    void take(LimbVector& other) {
        if (other.on_heap()) {
            m_data = other.m_data;
            m_capacity = other.m_capacity;
        } else {
            m_inline[0] = other.m_inline[0];
            m_inline[1] = other.m_inline[1];
        }
        m_size = other.m_size;
        other.m_data = other.m_inline;
        other.m_capacity = k_inline;
        other.m_size = 0;
    }
};

} // namespace mpyship::compiler
