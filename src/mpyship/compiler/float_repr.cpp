// Float repr: find the decimal exponent, round the value to 16 significant digits in extended
// precision, lay the digits out 'g'-style, and retry with 17, 18 then 19 digits while the text does
// not read back to the same double. The 19-digit text is kept even when it does not.
#include "mpyship/compiler/float_repr.h"

#include "mpyship/compiler/decimal_scale.h"
#include "mpyship/compiler/float_parse.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace mpyship::compiler {
namespace {

constexpr int k_first_digits = 16;
constexpr int k_last_digits = 19;
constexpr int k_min_fixed_exp = -4; // 1e-4 is still written 0.0001
constexpr int k_max_fixed_exp = 15; // from 1e16 on, the exponent form is used
constexpr double k_log10_of_2 = 0.3010299956639812;

double power_of_ten(int exponent) {
    return static_cast<double>(scale_by_power_of_ten(1.0L, exponent));
}

int binary_exponent(double value) { // the unbiased exponent field; -1023 for subnormals
    const auto bits = std::bit_cast<std::uint64_t>(value);
    return static_cast<int>((bits >> 52) & 0x7ff) - 1023;
}

// The decimal exponent of a positive finite value, against the reference's rounded powers of ten.
int decimal_exponent(double magnitude) {
    int e = static_cast<int>(binary_exponent(magnitude) * k_log10_of_2);
    if (magnitude >= 1.0) {
        while (magnitude >= power_of_ten(e + 1))
            ++e;
    } else {
        while (magnitude < power_of_ten(e))
            --e;
    }
    return e;
}

struct Digits {
    char text[k_last_digits]; // exactly `count` digits, zero-padded on the left
    int count = 0;
    int exp = 0; // power of ten of the first digit
    std::string_view view() const { return {text, static_cast<std::size_t>(count)}; }
};

// `count` significant digits of `magnitude` whose first has place `exp`, rounded half up.
Digits round_digits(double magnitude, int count, int exp) {
    const int shift = magnitude == 0 ? 0 : count - 1 - exp;
    const long double scaled = scale_by_power_of_ten(magnitude, shift);
    auto mantissa = static_cast<std::uint64_t>(scaled + 0.5L);
    std::uint64_t cap = 1;
    for (int i = 0; i < count; ++i)
        cap *= 10;
    if (mantissa >= cap) { // rounding carried into a new digit: drop the last one
        mantissa /= 10;
        ++exp;
    }
    Digits d;
    d.count = count;
    d.exp = exp;
    for (int i = count; i-- > 0; mantissa /= 10)
        d.text[i] = static_cast<char>('0' + mantissa % 10);
    return d;
}

// Appends "int.frac" with trailing zeros of the fraction (and then a bare point) removed.
void append_with_point(std::string& out, std::string_view integer, std::string_view fraction) {
    out += integer;
    const std::size_t kept = fraction.find_last_not_of('0');
    if (kept == std::string_view::npos)
        return;
    out += '.';
    out += fraction.substr(0, kept + 1);
}

std::string exponent_suffix(int exp) {
    const int size = exp < 0 ? -exp : exp;
    return std::string(exp < 0 ? "e-" : "e+") + (size < 10 ? "0" : "") + std::to_string(size);
}

// The digits laid out as text (one buffer: a float constant is formatted up to four times).
std::string layout(const Digits& d) {
    const std::string_view digits = d.view();
    std::string out;
    out.reserve(32);
    if (d.exp >= 0 && d.exp <= k_max_fixed_exp) {
        const auto split = static_cast<std::size_t>(d.exp) + 1;
        append_with_point(out, digits.substr(0, split), digits.substr(split));
        return out;
    }
    if (d.exp < 0 && d.exp >= k_min_fixed_exp) {
        char fraction[-k_min_fixed_exp + k_last_digits]; // the zeros after the point, then the digits
        const auto zeros = static_cast<std::size_t>(-d.exp - 1);
        std::fill_n(fraction, zeros, '0');
        std::copy(digits.begin(), digits.end(), fraction + zeros);
        append_with_point(out, "0", std::string_view(fraction, zeros + digits.size()));
        return out;
    }
    append_with_point(out, digits.substr(0, 1), digits.substr(1));
    out += exponent_suffix(d.exp);
    return out;
}

bool reads_back(const std::string& text, double magnitude) {
    const auto parsed = parse_decimal_float(text);
    return parsed && parsed->value == magnitude;
}

std::string finite_magnitude_text(double magnitude) {
    const int exp = magnitude == 0 ? 0 : decimal_exponent(magnitude);
    std::string text;
    for (int count = k_first_digits; count <= k_last_digits; ++count) {
        text = layout(round_digits(magnitude, count, exp));
        if (reads_back(text, magnitude))
            break;
    }
    return text;
}

// The 'g' text: no ".0" is added to integral values.
std::string g_text(double value) {
    if (std::isnan(value))
        return "nan";
    const std::string sign = std::signbit(value) ? "-" : "";
    if (std::isinf(value))
        return sign + "inf";
    return sign + finite_magnitude_text(std::fabs(value));
}

} // namespace

std::string float_repr(double value) {
    std::string text = g_text(value);
    if (text.find_first_of(".en") == std::string::npos)
        text += ".0";
    return text;
}

std::string imag_repr(double imag) {
    return g_text(imag) + "j";
}

} // namespace mpyship::compiler
