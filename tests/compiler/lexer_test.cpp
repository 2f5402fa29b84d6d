// Lexer: token kinds and texts, indentation, numbers, strings and the f-/t-string desugaring.
#include "mpyship/compiler/lexer.h"

#include "frontend_test_util.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

std::string tokens(const std::string& src, Target target = Target::micropython) {
    std::string out;
    for (const auto& t : tokenize(src, test::options_for(target))) {
        out += out.empty() ? "" : " ";
        switch (t.kind) {
        case Tok::newline:
            out += "NL";
            break;
        case Tok::indent:
            out += "IN";
            break;
        case Tok::dedent:
            out += "DE";
            break;
        case Tok::end_of_input:
            out += "END";
            break;
        case Tok::string:
            out += "S<" + std::string(t.text()) + ">";
            break;
        case Tok::bytes:
            out += "B<" + std::string(t.text()) + ">";
            break;
        case Tok::integer:
            out += "I<" + std::string(t.text()) + ">";
            break;
        case Tok::float_or_imag:
            out += "F<" + std::string(t.text()) + ">";
            break;
        default:
            out += t.text().empty() ? "op" + std::to_string(static_cast<int>(t.kind)) : std::string(t.text());
        }
    }
    return out;
}

TEST(Lexer, IndentationAndNewlines) {
    EXPECT_EQ(tokens("if x:\n  y\nz"),
              "if x op" + std::to_string(static_cast<int>(Tok::del_colon)) + " NL IN y NL DE z NL END");
    EXPECT_EQ(tokens("(1,\n 2)\n"), "op" + std::to_string(static_cast<int>(Tok::del_paren_open)) +
                                        " I<1> op" + std::to_string(static_cast<int>(Tok::del_comma)) +
                                        " I<2> op" + std::to_string(static_cast<int>(Tok::del_paren_close)) +
                                        " NL END");
    EXPECT_EQ(tokens(""), "END");
    EXPECT_EQ(tokens("x # c\r\n\r\ny\\\n z"), "x NL y z NL END");
}

TEST(Lexer, Numbers) {
    EXPECT_EQ(tokens("1__0 0x_1F 1_ 1e5 1E+5 2j .5 0b101 1.5.real"),
              "I<10> I<0x1F> I<1> F<1e5> F<1e+5> F<2j> F<.5> I<0b101> F<1.5.real> NL END");
}

TEST(Lexer, StringsAndEscapes) {
    EXPECT_EQ(tokens("'a' \"b\" r'\\n' '\\x41\\101\\q'"), "S<ab\\nAA\\q> NL END");
    EXPECT_EQ(tokens("b'\\xff' b'\\u1234'"), "B<\xff\\u1234> NL END");
    EXPECT_EQ(tokens("'\\u00e9'"), "S<\xc3\xa9> NL END");
    EXPECT_EQ(tokens("'a' b'c'"), "S<a> B<c> NL END");
}

TEST(Lexer, FStringsBecomeFormatCalls) {
    EXPECT_EQ(test::dump("f'a{x}b{y!r:>{w}}'\n"), "(Expr (Call (. 'a{}b{!r:>{}}' format) x y w))\n");
    EXPECT_EQ(test::dump("f'abc'\n"), "(Expr (Call (. 'abc' format)))\n");
    EXPECT_EQ(test::dump("f'{x=}'\n"), "(Expr (Call (. 'x={}' format) x))\n");
    EXPECT_EQ(test::dump("f'a{{'\n"), "(Expr (Call (. 'a{{' format)))\n");
    EXPECT_EQ(test::dump("'x' f'{a}' 'y'\n"), "(Expr (Call (. 'x{}y' format) a))\n");
}

TEST(Lexer, TStringsBecomeTemplateCalls) {
    EXPECT_EQ(test::dump("t'a{x!r:>3}b'\n"), "(Expr (Call __template__ ('a', 'b') x 'x' 'r' '>3'))\n");
    EXPECT_EQ(test::error_of("t'a'\n", Target::circuitpython), "SyntaxError: invalid syntax @1");
}

TEST(Lexer, Errors) {
    EXPECT_EQ(test::error_of("x = 'abc\n"), "SyntaxError: invalid syntax @1");
    EXPECT_EQ(test::error_of("x = 1 $\n"), "SyntaxError: invalid syntax @1");
    EXPECT_EQ(test::error_of("if x:\n        a\n    b\n"),
              "IndentationError: unindent doesn't match any outer indent level @2");
    EXPECT_EQ(test::error_of("  x = 1\n"), "IndentationError: unexpected indent @1");
    EXPECT_EQ(test::error_of("x = '\\N{DASH}'\n"), "NotImplementedError: unicode name escapes");
    EXPECT_EQ(test::error_of("x = f'{}'\n"), "SyntaxError: malformed f-string @1");
    EXPECT_EQ(test::error_of("x = '\\x4'\n"), "SyntaxError: invalid syntax @1");
    EXPECT_EQ(test::error_of("x = R'a'\n"), "SyntaxError: invalid syntax @1");
}

} // namespace
} // namespace mpyship::compiler
