// A 32-bit unsigned number as users and build files write addresses and IDs: decimal, or hex with 0x/0X.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mpyship {

inline std::optional<std::uint32_t> parse_u32(std::string_view text) {
    int radix = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        radix = 16;
    }
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, radix);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace mpyship
