// The lexer: turns UTF-8 source bytes into Tokens exactly as the reference tokenizer does, including
// INDENT/DEDENT/NEWLINE, implicit line joining, adjacent string concatenation, and the desugaring of
// f-strings to `'...'.format(...)` and t-strings to `__template__(...)` by injecting source text.
// Tokens the reference marks as erroneous raise CompileError when they become the current token.
#pragma once

#include "mpyship/compiler/char_stream.h"
#include "mpyship/compiler/options.h"
#include "mpyship/compiler/token.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mpyship::compiler {

class Lexer {
  public:
    Lexer(std::string_view source, const Options& options);

    // The next token. A token the reference marks as erroneous (an unknown character, a bad escape, an
    // unterminated string, a malformed f-string, a line end whose indent matches no outer level) comes
    // back as Tok::error, which no grammar rule accepts: like the reference's parser, ours raises its
    // error (raise_error) only where it fails on it, so rules completed before it still report theirs
    // (`R = const() $` is "not a constant"). Other invalid input throws CompileError at once.
    Token next();
    void next(Token& token); // the same, reusing `token`'s text buffer
    // Throws the CompileError of the Tok::error token `token`, the last one returned.
    [[noreturn]] void raise_error(const Token& token) const;

  private:
    // What the token being scanned is; the error kinds become CompileErrors.
    enum class Scan : std::uint8_t {
        none,
        string,
        bytes,
        invalid,
        dedent_mismatch,
        unterminated,
        malformed_fstring
    };
    struct StringPiece; // prefix flags of one literal in a concatenation

    CharStream m_in;
    Target m_target;
    bool m_debug_value;
    bool m_first = true;
    int m_pending_dents = 0; // >0: INDENTs to emit, <0: DEDENTs
    std::size_t m_bracket_depth = 0;
    std::vector<std::uint32_t> m_indents{0};
    std::string m_fargs; // generated argument text of the f-/t-string being scanned
    bool m_eof_line_bump = false; // see scan_strings
    // Beyond this the reference compilers have run out of heap (an f-string expression of ~0.5 MB fails in
    // mpy-cross 1.28, ~0.7 MB in CircuitPython 10.2.1's), so no program they accept is refused by it.
    static constexpr std::size_t k_fargs_budget = std::size_t{1} << 20;
    Scan m_scan = Scan::none;
    // The token being scanned: its text is written straight into the caller's buffer (reused), or, for a
    // name read whole from the source, is a view of it.
    Token* m_token = nullptr;
    std::string& text() { return m_token->buffer; }

    void scan_token(Token& token);
    Tok scan_content();
    bool skip_blank();
    bool skip_whitespace(bool stop_at_newline);
    Tok scan_newline();
    Tok scan_name();
    Tok name_kind(std::string_view name) const;
    Tok scan_number();
    Tok scan_operator();
    void track_brackets(Tok kind);
    Tok scan_strings();
    bool at_string_start() const;
    StringPiece scan_prefix();
    void scan_literal(const StringPiece& piece);
    bool scan_brace(const StringPiece& piece);
    void check_fargs_budget() const;
    void scan_interpolation(const StringPiece& piece);
    void scan_interpolation_tail(std::size_t start, bool debug);
    void scan_escape(const StringPiece& piece);
    bool decode_escape(std::uint32_t& value);
    bool decode_hex_escape(std::uint32_t& value);
    void add_code_point(std::uint32_t c);
    void finish_tstring_text();
    void inject_format_args();

    // t-string scanning state for the literal being scanned
    struct TState {
        std::size_t interpolations = 0;
        std::size_t spec_start = 0;
        std::size_t spec_depth = 0;
        bool spec_needs_fstring = false;
    } m_t;
    char m_quote = '\'';      // quote character of the literal being scanned
    std::size_t m_quotes = 1; // 1 or 3
    void close_tstring_spec();
};

// Convenience for tests: every token up to and including end_of_input; throws at an erroneous token.
std::vector<Token> tokenize(std::string_view source, const Options& options);

} // namespace mpyship::compiler
