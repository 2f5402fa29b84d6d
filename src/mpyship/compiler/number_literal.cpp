// Number literals. Integers: optional 0x/0o/0b prefix, a leading 0 without prefix only allows zeros.
// Floats: the reference's decimal conversion (float_parse.h), optional trailing 'j' for imaginary.
#include "mpyship/compiler/number_literal.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/float_parse.h"

namespace mpyship::compiler {
namespace {

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
            out += c == '\n'   ? "\\n"
                   : c == '\r' ? "\\r"
                   : c == '\t' ? "\\t"
                               : std::string{"\\x"} + k_hex[c >> 4] + k_hex[c & 15];
        }
    }
    out += q;
    return out;
}

[[noreturn]] void bad_integer(int base, std::string_view digits, SourcePos pos) {
    throw CompileError{"SyntaxError",
                       "invalid syntax for integer with base " + std::to_string(base) + ": " +
                           quoted_bytes(digits),
                       pos, "", true};
}

[[noreturn]] void bad_number(SourcePos pos) {
    throw CompileError{"SyntaxError", "invalid syntax for number", pos, "", true};
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
    // base 1: a leading 0 without a prefix, which allows only more zeros (the reference's "base 0" error)
    if (base == 1 && digits.find_first_not_of('0') != std::string_view::npos) {
        bad_integer(0, digits, pos);
    }
    std::optional<BigInt> value = BigInt::from_digits(digits, base == 1 ? 10 : base); // checks the digits
    if (!value) {
        bad_integer(base == 1 ? 0 : base, digits, pos);
    }
    return ConstValue{std::move(*value)};
}

ConstValue parse_float_literal(std::string_view text, SourcePos pos) {
    const std::optional<ParsedFloat> parsed = parse_decimal_float(text);
    if (!parsed)
        bad_number(pos);
    std::size_t end = parsed->length;
    const bool imag = end < text.size() && (text[end] | 0x20) == 'j';
    const double value = imag && end == 0 ? 1.0 : parsed->value; // a bare "j" means 1j
    end += imag ? 1 : 0;
    if (end == 0 || end != text.size())
        bad_number(pos);
    return imag ? ConstValue{ImagValue{value}} : ConstValue{value};
}

} // namespace mpyship::compiler
