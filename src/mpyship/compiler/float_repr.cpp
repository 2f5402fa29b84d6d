// Float repr: find the decimal exponent, round the value to 16 significant digits in extended
// precision, lay the digits out 'g'-style, and retry with 17, 18 then 19 digits while the text does
// not read back to the same double. The 19-digit text is kept even when it does not.
#include "mpyship/compiler/float_repr.h"

#include "mpyship/compiler/decimal_scale.h"
#include "mpyship/compiler/float_parse.h"

#include <bit>
#include <cmath>
#include <cstdint>

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
    std::string text; // exactly the requested number of digits, zero-padded on the left
    int exp = 0;      // power of ten of the first digit
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
    std::string text(static_cast<std::size_t>(count), '0');
    for (auto it = text.rbegin(); it != text.rend(); ++it, mantissa /= 10)
        *it = static_cast<char>('0' + mantissa % 10);
    return {text, exp};
}

// "int.frac" with trailing zeros of the fraction (and then a bare point) removed.
std::string with_point(const std::string& integer, const std::string& fraction) {
    const std::size_t kept = fraction.find_last_not_of('0');
    if (kept == std::string::npos)
        return integer;
    return integer + "." + fraction.substr(0, kept + 1);
}

std::string exponent_suffix(int exp) {
    const int size = exp < 0 ? -exp : exp;
    return std::string(exp < 0 ? "e-" : "e+") + (size < 10 ? "0" : "") + std::to_string(size);
}

std::string layout(const Digits& d) {
    if (d.exp >= 0 && d.exp <= k_max_fixed_exp) {
        const auto split = static_cast<std::size_t>(d.exp) + 1;
        return with_point(d.text.substr(0, split), d.text.substr(split));
    }
    if (d.exp < 0 && d.exp >= k_min_fixed_exp)
        return with_point("0", std::string(static_cast<std::size_t>(-d.exp - 1), '0') + d.text);
    return with_point(d.text.substr(0, 1), d.text.substr(1)) + exponent_suffix(d.exp);
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
