// A bounds-checked cursor over the bytes of a .mpy file. Every read checks the remaining length and
// reports failures as FormatError naming the byte offset and what was expected there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mpyship::mpy {

// Thrown inside the reader and caught once at its entry (read_module).
struct FormatError {
    std::size_t offset = 0;
    std::string what;
};

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> data, std::size_t base_offset = 0)
        : m_data(data), m_base(base_offset) {}

    std::size_t offset() const { return m_base + m_pos; } // absolute offset for messages
    std::size_t position() const { return m_pos; }        // position within this span
    std::size_t remaining() const { return m_data.size() - m_pos; }
    bool at_end() const { return m_pos == m_data.size(); }

    std::uint8_t byte(std::string_view what);
    std::uint64_t vuint(std::string_view what);
    // A vuint that counts items each taking at least `min_item_bytes` bytes, so it cannot exceed what is
    // left.
    std::uint64_t count(std::string_view what, std::size_t min_item_bytes = 1);
    std::span<const std::uint8_t> bytes(std::size_t n, std::string_view what);
    // The bytes read since `start_position` (a value of position()).
    std::span<const std::uint8_t> consumed_since(std::size_t start_position) const {
        return m_data.subspan(start_position, m_pos - start_position);
    }

    [[noreturn]] void error(std::string what) const { throw FormatError{offset(), std::move(what)}; }
    [[noreturn]] void error_at(std::size_t absolute_offset, std::string what) const {
        throw FormatError{absolute_offset, std::move(what)};
    }

  private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_base;
    std::size_t m_pos = 0;
};

} // namespace mpyship::mpy
