// Mutations of real code for the differential fuzzer: line edits (delete, duplicate, swap, re-indent),
// token-level edits (a number, a string, an operator replaced), and layout edits that keep the program's
// meaning but move its line structure (a bracketed list split over lines, a comment or blank line inserted,
// a string literal split into an implicit concatenation). Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace mpyship::parity {

class Mutator {
public:
    explicit Mutator(std::uint64_t seed) : m_rng(seed) {}
    // 1 to 4 random edits of `source`.
    std::string mutate(const std::string& source);

private:
    std::string edit_once(const std::string& source);
    std::string line_edit(const std::string& source);
    std::string token_edit(const std::string& source);
    std::string layout_edit(const std::string& source);
    int pick(int n) { return n <= 0 ? 0 : int(m_rng() % std::uint64_t(n)); }

    std::mt19937_64 m_rng;
};

} // namespace mpyship::parity
