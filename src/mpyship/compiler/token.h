// Tokens produced by the lexer and consumed by the parser. Kinds follow Python's grammar as MicroPython
// tokenizes it; each token carries its source position for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mpyship::compiler {

enum class Tok : std::uint8_t {
    end_of_input,
    error, // a token the reference marks as erroneous: the parser raises its error (Lexer::raise_error)
    newline,
    indent,
    dedent,
    name,
    integer,       // text: the literal as written (e.g. "0x_1F", "1_000"), validated by the lexer
    float_or_imag, // text: the literal as written (e.g. "1.5e3", "2j")
    string,        // text: the decoded UTF-8 value (escapes processed)
    bytes,         // text: the decoded byte values
    ellipsis,      // ...

    // keywords
    kw_False,
    kw_None,
    kw_True,
    kw___debug__,
    kw_and,
    kw_as,
    kw_assert,
    kw_async,
    kw_await,
    kw_break,
    kw_class,
    kw_continue,
    kw_def,
    kw_del,
    kw_elif,
    kw_else,
    kw_except,
    kw_finally,
    kw_for,
    kw_from,
    kw_global,
    kw_if,
    kw_import,
    kw_in,
    kw_is,
    kw_lambda,
    kw_nonlocal,
    kw_not,
    kw_or,
    kw_pass,
    kw_raise,
    kw_return,
    kw_try,
    kw_while,
    kw_with,
    kw_yield,

    // operators and delimiters
    op_tilde,      // ~
    op_less,       // <
    op_more,       // >
    op_equal,      // ==
    op_less_equal, // <=
    op_more_equal, // >=
    op_not_equal,  // !=
    op_pipe,       // |
    op_caret,      // ^
    op_ampersand,  // &
    op_dbl_less,   // <<
    op_dbl_more,   // >>
    op_plus,       // +
    op_minus,      // -
    op_star,       // *
    op_at,         // @
    op_slash,      // /
    op_dbl_slash,  // //
    op_percent,    // %
    op_dbl_star,   // **
    op_assign,     // =
    op_pipe_assign,
    op_caret_assign,
    op_ampersand_assign,
    op_dbl_less_assign,
    op_dbl_more_assign,
    op_plus_assign,
    op_minus_assign,
    op_star_assign,
    op_at_assign,
    op_slash_assign,
    op_dbl_slash_assign,
    op_percent_assign,
    op_dbl_star_assign,
    op_walrus, // :=
    op_arrow,  // ->
    del_paren_open,
    del_paren_close,
    del_bracket_open,
    del_bracket_close,
    del_brace_open,
    del_brace_close,
    del_comma,
    del_colon,
    del_period,
    del_semicolon,
};

std::string_view token_name(Tok kind);

struct SourcePos {
    std::uint32_t line = 1;   // 1-based
    std::uint32_t column = 1; // 1-based, in characters (code points) of the line
};

// A token's text is either a view into the lexer's copy of the source (a name read straight from it: no
// copy per name) or its own buffer (strings, numbers, names read from injected text). The view lives as
// long as the lexer that made the token; tokenize() hands out tokens that own their text.
struct Token {
    Tok kind = Tok::end_of_input;
    SourcePos pos;
    std::string buffer;    // the text when !viewed
    std::string_view view; // the text when viewed
    bool viewed = false;
    std::string_view text() const { return viewed ? view : std::string_view(buffer); }
};

} // namespace mpyship::compiler
