// Decimal text to double, reproducing the reference's digit truncation and scaling.
// The significant digits (leading and trailing zeros dropped) are appended to a 64-bit integer for
// as long as it stays below k_mantissa_limit; the value is that integer times ten to the place of
// the last digit kept plus the written exponent, scaled by scale_by_power_of_ten and then rounded.
#include "mpyship/compiler/float_parse.h"

#include "mpyship/compiler/decimal_scale.h"

#include <climits>
#include <cstdint>
#include <string>

namespace mpyship::compiler {
namespace {

constexpr std::uint64_t k_mantissa_limit = 0x1999999999999998ULL; // digits are appended only below this
constexpr int k_exponent_limit = (INT_MAX / 2 - 9) / 10; // written exponent digits past it are ignored

struct DecimalPieces {
    std::string digits;     // every mantissa digit in order, integer part first
    int integer_digits = 0; // how many of `digits` come before the point
    int exponent = 0;       // the written exponent, sign applied
    std::size_t length = 0;
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads the exponent after 'e'/'E' at text[i]; returns the index after it, or npos when empty.
std::size_t read_exponent(std::string_view text, std::size_t i, int& exponent) {
    bool negative = false;
    if (++i < text.size() && (text[i] == '+' || text[i] == '-'))
        negative = text[i++] == '-';
    if (i == text.size())
        return std::string_view::npos;
    int magnitude = 0;
    for (; i < text.size() && (is_digit(text[i]) || text[i] == '_'); ++i)
        if (text[i] != '_' && magnitude < k_exponent_limit)
            magnitude = 10 * magnitude + (text[i] - '0');
    exponent = negative ? -magnitude : magnitude;
    return i;
}

std::optional<DecimalPieces> split_decimal(std::string_view text) {
    DecimalPieces pieces;
    bool in_fraction = false;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (is_digit(c)) {
            pieces.digits += c;
            pieces.integer_digits += in_fraction ? 0 : 1;
        } else if (c == '.' && !in_fraction) {
            in_fraction = true;
        } else if ((c | 0x20) == 'e') {
            i = read_exponent(text, i, pieces.exponent);
            if (i == std::string_view::npos)
                return std::nullopt;
            break;
        } else if (c != '_') {
            break;
        }
    }
    pieces.length = i;
    return pieces;
}

// The kept integer and the decimal place of its last digit.
struct Truncated {
    std::uint64_t mantissa = 0;
    int place = 0;
};

Truncated truncate_digits(const DecimalPieces& pieces) {
    const std::string& d = pieces.digits;
    const std::size_t first = d.find_first_not_of('0');
    if (first == std::string::npos)
        return {};
    const std::size_t last = d.find_last_not_of('0');
    Truncated t;
    std::size_t i = first;
    for (; i <= last && t.mantissa < k_mantissa_limit; ++i)
        t.mantissa = 10 * t.mantissa + static_cast<std::uint64_t>(d[i] - '0');
    t.place = pieces.integer_digits - static_cast<int>(i);
    return t;
}

} // namespace

std::optional<ParsedFloat> parse_decimal_float(std::string_view text) {
    const std::optional<DecimalPieces> pieces = split_decimal(text);
    if (!pieces)
        return std::nullopt;
    const Truncated t = truncate_digits(*pieces);
    const long double exact = static_cast<long double>(t.mantissa);
    const long double scaled = scale_by_power_of_ten(exact, pieces->exponent + t.place);
    return ParsedFloat{static_cast<double>(scaled), pieces->length};
}

} // namespace mpyship::compiler
