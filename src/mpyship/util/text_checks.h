// Small checks and foldings of text that several layers need: UTF-8 validity (sources, canonical JSON) and
// ASCII lower case (FAT compares names that way, so the build and deploy fold paths with it).
#pragma once

#include <string>
#include <string_view>

namespace mpyship {

// Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or npos.
inline std::size_t invalid_utf8_at(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + n > s.size())
            return i;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80)
                return i;
        i += n;
    }
    return std::string_view::npos;
}

// A-Z to a-z; every other byte as it is.
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return out;
}

} // namespace mpyship
