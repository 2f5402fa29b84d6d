#include "mpyship/compiler/float_repr.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mpyship::compiler {

namespace {

constexpr int k_first_digits = 16;  // the reference starts with 16 significant digits
constexpr int k_max_digits = 19;
constexpr int k_max_fixed_exp = 16; // from 1e16 on, the exponent form is used

struct Decimal {
    std::string digits; // significant digits, no trailing zeros (at least one digit)
    int exp = 0;        // power of ten of the first digit
};

// The fewest digits from 16 on whose text reads back to `value`.
Decimal decimal_of(double value) {
    char buf[64];
    for (int n = k_first_digits; n <= k_max_digits; ++n) {
        std::snprintf(buf, sizeof buf, "%.*e", n - 1, value);
        if (std::strtod(buf, nullptr) == value)
            break;
    }
    Decimal d;
    const char* p = buf;
    for (; *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9')
            d.digits += *p;
    d.exp = std::atoi(p + 1);
    while (d.digits.size() > 1 && d.digits.back() == '0')
        d.digits.pop_back();
    return d;
}

std::string fixed_form(const Decimal& d) {
    if (d.exp < 0)
        return "0." + std::string(std::size_t(-d.exp - 1), '0') + d.digits;
    const auto int_len = std::size_t(d.exp + 1);
    if (d.digits.size() <= int_len)
        return d.digits + std::string(int_len - d.digits.size(), '0');
    return d.digits.substr(0, int_len) + "." + d.digits.substr(int_len);
}

std::string exponent_form(const Decimal& d) {
    std::string text = d.digits.substr(0, 1);
    if (d.digits.size() > 1)
        text += "." + d.digits.substr(1);
    const int e = d.exp < 0 ? -d.exp : d.exp;
    text += d.exp < 0 ? "e-" : "e+";
    if (e < 10)
        text += '0';
    return text + std::to_string(e);
}

std::string g_form(double value) {
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";
    const std::string sign = std::signbit(value) ? "-" : "";
    if (value == 0)
        return sign + "0";
    const Decimal d = decimal_of(std::fabs(value));
    const bool fixed = d.exp >= -4 && d.exp < k_max_fixed_exp;
    return sign + (fixed ? fixed_form(d) : exponent_form(d));
}

} // namespace

std::string float_repr(double value) {
    std::string text = g_form(value);
    if (text.find_first_of(".en") == std::string::npos)
        text += ".0";
    return text;
}

std::string imag_repr(double imag) { return g_form(imag) + "j"; }

} // namespace mpyship::compiler
