#include "shrinker.h"

#include <algorithm>
#include <vector>

namespace mpyship::parity {

namespace {

using Pieces = std::vector<std::string>;

std::string joined(const Pieces& pieces) {
    std::string text;
    for (const auto& p : pieces)
        text += p;
    return text;
}

Pieces lines_of(const std::string& text) {
    Pieces pieces;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end + 1;
        pieces.push_back(text.substr(start, end - start));
        start = end;
    }
    return pieces;
}

Pieces chars_of(const std::string& text) {
    Pieces pieces;
    for (char c : text)
        pieces.emplace_back(1, c);
    return pieces;
}

// ddmin-style: try removing chunks of decreasing size; keep every removal that still shows the difference.
Pieces reduce(Pieces pieces, const std::function<bool(const std::string&)>& test, int& budget) {
    for (std::size_t chunk = std::max<std::size_t>(pieces.size() / 2, 1); budget > 0; chunk /= 2) {
        bool removed_any = true;
        while (removed_any && budget > 0) {
            removed_any = false;
            for (std::size_t at = 0; at + chunk <= pieces.size() && budget > 0;) {
                Pieces candidate = pieces;
                candidate.erase(candidate.begin() + std::ptrdiff_t(at), candidate.begin() + std::ptrdiff_t(at + chunk));
                --budget;
                if (test(joined(candidate))) {
                    pieces = std::move(candidate);
                    removed_any = true;
                } else {
                    at += chunk <= 8 ? 1 : chunk; // small chunks at every offset: "[]" in "x[]y" goes as a pair
                }
            }
        }
        if (chunk == 1)
            break;
    }
    return pieces;
}

} // namespace

std::string shrink(const std::string& program, const std::function<bool(const std::string&)>& still_differs,
                   int max_tests) {
    int budget = max_tests;
    std::string best = joined(reduce(lines_of(program), still_differs, budget));
    best = joined(reduce(chars_of(best), still_differs, budget));
    return best;
}

} // namespace mpyship::parity
