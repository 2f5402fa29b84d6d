#include "mpyship/mpy/byte_reader.h"

namespace mpyship::mpy {

namespace {
// A vuint holds at most 64 bits; ten 7-bit groups cover that.
constexpr int k_max_vuint_bytes = 10;
} // namespace

std::uint8_t ByteReader::byte(std::string_view what) {
    if (m_pos >= m_data.size())
        error("unexpected end of file, expected " + std::string(what));
    return m_data[m_pos++];
}

std::uint64_t ByteReader::vuint(std::string_view what) {
    std::size_t start = offset();
    std::uint64_t value = 0;
    for (int i = 0; i < k_max_vuint_bytes; ++i) {
        if (m_pos >= m_data.size())
            error("unexpected end of file, expected " + std::string(what));
        std::uint8_t b = m_data[m_pos++];
        if (value >> 57)
            error_at(start, std::string(what) + " is too large");
        value = (value << 7) | (b & 0x7f);
        if (!(b & 0x80))
            return value;
    }
    error_at(start, std::string(what) + " is too long (more than 10 bytes)");
}

std::uint64_t ByteReader::count(std::string_view what, std::size_t min_item_bytes) {
    std::size_t start = offset();
    std::uint64_t n = vuint(what);
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes)
        error_at(start, std::string(what) + " " + std::to_string(n) + " exceeds the " +
                            std::to_string(remaining()) + " bytes left in the file");
    return n;
}

std::span<const std::uint8_t> ByteReader::bytes(std::size_t n, std::string_view what) {
    if (n > remaining())
        error("unexpected end of file, expected " + std::to_string(n) + " bytes of " + std::string(what) +
              " (" + std::to_string(remaining()) + " left)");
    auto out = m_data.subspan(m_pos, n);
    m_pos += n;
    return out;
}

} // namespace mpyship::mpy
