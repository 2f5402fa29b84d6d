// Number literals. Integers: optional 0x/0o/0b prefix, a leading 0 without prefix only allows zeros.
// Floats: decimal mantissa accumulated up to a precision limit, then scaled by a power of ten in
// extended precision (this reproduces the reference's rounding), optional trailing 'j' for imaginary.
#include "mpyship/compiler/number_literal.h"

#include "mpyship/compiler/compile_error.h"

#include <climits>

namespace mpyship::compiler {
namespace {

constexpr std::uint64_t k_mantissa_max = 0x1999999999999998ULL;

std::string quoted_bytes(std::string_view s) {
    bool has_single = s.find('\'') != std::string_view::npos;
    bool has_double = s.find('"') != std::string_view::npos;
    char q = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == static_cast<unsigned char>(q)) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            static const char* k_hex = "0123456789abcdef";
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : std::string{"\\x"} + k_hex[c >> 4] + k_hex[c & 15];
        }
    }
    out += q;
    return out;
}

[[noreturn]] void bad_integer(int base, std::string_view digits, SourcePos pos) {
    throw CompileError{"SyntaxError",
                       "invalid syntax for integer with base " + std::to_string(base) + ": " + quoted_bytes(digits),
                       pos, "", true};
}

[[noreturn]] void bad_number(SourcePos pos) { throw CompileError{"SyntaxError", "invalid syntax for number", pos, "", true}; }

int digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    int lower = c | 0x20;
    return (lower >= 'a' && lower <= 'z') ? lower - 'a' + 10 : 99;
}

long double scale_by_ten(long double value, int exponent) {
    if (exponent == 0 || value == 0) {
        return value;
    }
    bool negative = exponent < 0;
    unsigned e = negative ? static_cast<unsigned>(-exponent) : static_cast<unsigned>(exponent);
    long double power = 10.0L;
    while (e != 0) {
        if (e & 1) {
            value = negative ? value / power : value * power;
        }
        e >>= 1;
        if (e != 0) {
            power *= power;
        }
    }
    return value;
}

struct DecimalParse {
    std::uint64_t mantissa = 0;
    int exponent = 0;
    std::size_t end = 0;
    bool ok = true;
};

void accept_digit(DecimalParse& d, unsigned digit, bool in_fraction) {
    if (d.mantissa < k_mantissa_max) {
        d.exponent -= in_fraction ? 1 : 0;
        d.mantissa = 10 * d.mantissa + digit;
    } else if (!in_fraction) {
        ++d.exponent;
    }
}

DecimalParse parse_decimal(std::string_view s) {
    DecimalParse d;
    enum { intg, frac, expo } in = intg;
    bool exp_negative = false;
    int exp_value = 0;
    int zeros_intg = 0;
    int zeros_frac = 0;
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            unsigned dig = static_cast<unsigned>(c - '0');
            if (in == expo) {
                exp_value = exp_value < (INT_MAX / 2 - 9) / 10 ? 10 * exp_value + static_cast<int>(dig) : exp_value;
            } else if (dig == 0 || d.mantissa >= k_mantissa_max) {
                (in == intg ? zeros_intg : zeros_frac) += 1;
            } else {
                for (; zeros_intg > 0; --zeros_intg) {
                    accept_digit(d, 0, false);
                }
                for (; zeros_frac > 0; --zeros_frac) {
                    accept_digit(d, 0, true);
                }
                accept_digit(d, dig, in == frac);
            }
        } else if (in == intg && c == '.') {
            in = frac;
        } else if (in != expo && (c | 0x20) == 'e') {
            in = expo;
            if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) {
                exp_negative = s[++i] == '-';
            }
            if (i + 1 >= s.size()) {
                d.ok = false;
                return d;
            }
        } else {
            break;
        }
    }
    d.exponent += (exp_negative ? -exp_value : exp_value) + zeros_intg;
    d.end = i;
    return d;
}

} // namespace

ConstValue parse_integer_literal(std::string_view text, SourcePos pos) {
    int base = 10;
    std::size_t start = 0;
    if (text.size() > 1 && text[0] == '0') {
        int p = text[1] | 0x20;
        base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 1;
        start = base == 1 ? 0 : 2;
    }
    std::string_view digits = text.substr(start);
    std::size_t n = 0;
    while (n < digits.size() && digit_value(digits[n]) < base) {
        ++n;
    }
    if (n == 0 || n != digits.size()) {
        bad_integer(base == 1 ? 0 : base, digits, pos);
    }
    auto value = BigInt::from_digits(digits, base == 1 ? 10 : base);
    return ConstValue{*value};
}

ConstValue parse_float_literal(std::string_view text, SourcePos pos) {
    double value = 0;
    std::size_t i = 0;
    if (text.size() >= 3 && (text[0] | 0x20) == 'i' && (text[1] | 0x20) == 'n' && (text[2] | 0x20) == 'f') {
        bad_number(pos); // a literal cannot start with a letter; kept for completeness
    }
    DecimalParse d = parse_decimal(text);
    if (!d.ok) {
        bad_number(pos);
    }
    value = static_cast<double>(scale_by_ten(static_cast<long double>(d.mantissa), d.exponent));
    i = d.end;
    bool imag = false;
    if (i < text.size() && (text[i] | 0x20) == 'j') {
        if (i == 0) {
            value = 1;
        }
        imag = true;
        ++i;
    }
    if (i == 0 || i != text.size()) {
        bad_number(pos);
    }
    return imag ? ConstValue{ImagValue{value}} : ConstValue{value};
}

} // namespace mpyship::compiler
