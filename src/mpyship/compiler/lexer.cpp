// Lexer: whitespace and comments, indentation, names and keywords, numbers and operators.
// String literals (and f-/t-string desugaring) live in lexer_string.cpp.
#include "mpyship/compiler/lexer.h"

#include "mpyship/compiler/compile_error.h"

#include <array>
#include <utility>

namespace mpyship::compiler {
namespace {

bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_name_head_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

// What a token starting with a byte can be; scan_token dispatches on it.
enum class Start : std::uint8_t { other, name, prefix, quote, digit, dot };

constexpr std::array<Start, 256> k_start = [] {
    std::array<Start, 256> t{};
    for (unsigned c = 0; c < 256; ++c) {
        if (is_name_head_byte(static_cast<unsigned char>(c)))
            t[c] = Start::name;
        else if (c >= '0' && c <= '9')
            t[c] = Start::digit;
    }
    for (char c : {'r', 'u', 'b', 'f', 't'}) // string prefixes (at_string_start decides)
        t[static_cast<unsigned char>(c)] = Start::prefix;
    t['\''] = t['"'] = Start::quote;
    t['.'] = Start::dot;
    return t;
}();

constexpr std::array<bool, 256> k_name_tail = [] {
    std::array<bool, 256> t{};
    for (unsigned c = 0; c < 256; ++c)
        t[c] = is_name_head_byte(static_cast<unsigned char>(c)) || (c >= '0' && c <= '9');
    return t;
}();

bool is_name_tail(char c) {
    return k_name_tail[static_cast<unsigned char>(c)];
}

// Bytes skip_whitespace may consume (anything else ends it at once): spaces, line ends, '#', '\\'.
constexpr std::array<bool, 256> k_maybe_blank = [] {
    std::array<bool, 256> t{};
    for (unsigned c = '\t'; c <= '\r'; ++c)
        t[c] = true;
    t[' '] = t['#'] = t['\\'] = true;
    return t;
}();
// Bytes a number literal keeps as they are without changing its kind: digits and letters but e, E, j, J.
bool is_number_run_byte(char c) {
    return is_digit(c) || (is_alpha(c) && (c | 0x20) != 'e' && (c | 0x20) != 'j');
}
// Runs CharStream::take_plain_run() may skip at once (never '\n' or '\t', which move lines and columns).
bool is_blank(char c) {
    return c == ' ';
}
bool is_comment_byte(char c) {
    return c != '\n' && c != '\t' && c != CharStream::k_end;
}

struct Keyword {
    std::string_view text;
    Tok kind;
};

constexpr std::array k_keywords{
    Keyword{"False", Tok::kw_False},
    Keyword{"None", Tok::kw_None},
    Keyword{"True", Tok::kw_True},
    Keyword{"and", Tok::kw_and},
    Keyword{"as", Tok::kw_as},
    Keyword{"assert", Tok::kw_assert},
    Keyword{"async", Tok::kw_async},
    Keyword{"await", Tok::kw_await},
    Keyword{"break", Tok::kw_break},
    Keyword{"class", Tok::kw_class},
    Keyword{"continue", Tok::kw_continue},
    Keyword{"def", Tok::kw_def},
    Keyword{"del", Tok::kw_del},
    Keyword{"elif", Tok::kw_elif},
    Keyword{"else", Tok::kw_else},
    Keyword{"except", Tok::kw_except},
    Keyword{"finally", Tok::kw_finally},
    Keyword{"for", Tok::kw_for},
    Keyword{"from", Tok::kw_from},
    Keyword{"global", Tok::kw_global},
    Keyword{"if", Tok::kw_if},
    Keyword{"import", Tok::kw_import},
    Keyword{"in", Tok::kw_in},
    Keyword{"is", Tok::kw_is},
    Keyword{"lambda", Tok::kw_lambda},
    Keyword{"nonlocal", Tok::kw_nonlocal},
    Keyword{"not", Tok::kw_not},
    Keyword{"or", Tok::kw_or},
    Keyword{"pass", Tok::kw_pass},
    Keyword{"raise", Tok::kw_raise},
    Keyword{"return", Tok::kw_return},
    Keyword{"try", Tok::kw_try},
    Keyword{"while", Tok::kw_while},
    Keyword{"with", Tok::kw_with},
    Keyword{"yield", Tok::kw_yield},
};
constexpr std::size_t k_longest_keyword = 8; // "continue", "nonlocal"

struct Operator {
    std::string_view text;
    Tok kind;
};

// Longest first, so the first match is the longest.
constexpr std::array k_operators{
    Operator{"**=", Tok::op_dbl_star_assign},
    Operator{"//=", Tok::op_dbl_slash_assign},
    Operator{"<<=", Tok::op_dbl_less_assign},
    Operator{">>=", Tok::op_dbl_more_assign},
    Operator{"...", Tok::ellipsis},
    Operator{"**", Tok::op_dbl_star},
    Operator{"//", Tok::op_dbl_slash},
    Operator{"<<", Tok::op_dbl_less},
    Operator{">>", Tok::op_dbl_more},
    Operator{"<=", Tok::op_less_equal},
    Operator{">=", Tok::op_more_equal},
    Operator{"==", Tok::op_equal},
    Operator{"!=", Tok::op_not_equal},
    Operator{"->", Tok::op_arrow},
    Operator{":=", Tok::op_walrus},
    Operator{"+=", Tok::op_plus_assign},
    Operator{"-=", Tok::op_minus_assign},
    Operator{"*=", Tok::op_star_assign},
    Operator{"/=", Tok::op_slash_assign},
    Operator{"%=", Tok::op_percent_assign},
    Operator{"&=", Tok::op_ampersand_assign},
    Operator{"|=", Tok::op_pipe_assign},
    Operator{"^=", Tok::op_caret_assign},
    Operator{"@=", Tok::op_at_assign},
    Operator{"(", Tok::del_paren_open},
    Operator{")", Tok::del_paren_close},
    Operator{"[", Tok::del_bracket_open},
    Operator{"]", Tok::del_bracket_close},
    Operator{"{", Tok::del_brace_open},
    Operator{"}", Tok::del_brace_close},
    Operator{",", Tok::del_comma},
    Operator{";", Tok::del_semicolon},
    Operator{"~", Tok::op_tilde},
    Operator{":", Tok::del_colon},
    Operator{"<", Tok::op_less},
    Operator{">", Tok::op_more},
    Operator{"*", Tok::op_star},
    Operator{"+", Tok::op_plus},
    Operator{"-", Tok::op_minus},
    Operator{"&", Tok::op_ampersand},
    Operator{"|", Tok::op_pipe},
    Operator{"/", Tok::op_slash},
    Operator{"%", Tok::op_percent},
    Operator{"^", Tok::op_caret},
    Operator{"@", Tok::op_at},
    Operator{"=", Tok::op_assign},
    Operator{".", Tok::del_period},
};

// For each first byte, the indices (in table order) of the entries whose text starts with it, so a
// lookup compares only those few candidates. Building fails to compile if a byte has more than MaxPerByte.
template <std::size_t MaxPerByte> struct FirstByteIndex {
    std::array<std::array<std::uint8_t, MaxPerByte>, 256> candidates{};
    std::array<std::uint8_t, 256> count{};
};

template <std::size_t MaxPerByte, typename Table>
constexpr FirstByteIndex<MaxPerByte> index_by_first_byte(const Table& table) {
    FirstByteIndex<MaxPerByte> index;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto first = static_cast<unsigned char>(table[i].text[0]);
        index.candidates[first].at(index.count[first]++) = static_cast<std::uint8_t>(i);
    }
    return index;
}

constexpr auto k_keyword_index = index_by_first_byte<5>(k_keywords);   // a: and as assert async await

// A name of up to 8 bytes as one integer (byte i in bits 8i..8i+7, zero above), so a keyword candidate is
// matched by one comparison instead of a length check and a memcmp call.
constexpr std::uint64_t pack_name(std::string_view text) {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        word |= std::uint64_t(static_cast<unsigned char>(text[i])) << (8 * i);
    return word;
}

constexpr std::array<std::uint64_t, k_keywords.size()> k_keyword_words = [] {
    std::array<std::uint64_t, k_keywords.size()> words{};
    for (std::size_t i = 0; i < k_keywords.size(); ++i)
        words[i] = pack_name(k_keywords[i].text);
    return words;
}();
constexpr auto k_operator_index = index_by_first_byte<4>(k_operators); // *: **= ** *= *

} // namespace

Lexer::Lexer(std::string_view source, const Options& options)
    : m_in(source), m_target(options.target), m_debug_value(options.opt_level == 0) {}

Token Lexer::next() {
    Token token;
    next(token);
    return token;
}

void Lexer::next(Token& token) {
    scan_token(token);
    if (std::exchange(m_first, false) && token.pos.column != 1 && token.kind != Tok::newline) {
        token.kind = Tok::indent; // the reference reports "unexpected indent" for an indented first line
        return;
    }
    if (m_scan != Scan::none && m_scan != Scan::string && m_scan != Scan::bytes) {
        token.kind = Tok::error;
    }
}

void Lexer::raise_error(const Token& token) const {
    CompileError error{"SyntaxError", "invalid syntax", token.pos, "", true};
    if (m_scan == Scan::dedent_mismatch) {
        error.kind = "IndentationError";
        error.message = "unindent doesn't match any outer indent level";
    } else if (m_scan == Scan::malformed_fstring) {
        error.message = "malformed f-string";
    }
    throw error;
}

// Fills `token`, scanning the text into its own buffer (no allocation per token once it has grown).
void Lexer::scan_token(Token& token) {
    m_token = &token;
    token.viewed = false;
    if (m_target == Target::circuitpython && !m_fargs.empty() && !m_in.injecting_buffer()) {
        m_fargs += ')';
        m_in.start_buffer_injection(&m_fargs);
    }
    text().clear();
    m_scan = Scan::none;
    const bool had_newline = k_maybe_blank[static_cast<unsigned char>(m_in.peek())] && skip_blank();
    token.pos = SourcePos{m_in.line(), m_in.column()};
    if (m_eof_line_bump && m_in.at_end())
        ++token.pos.line;
    if (m_pending_dents < 0) {
        ++m_pending_dents;
        token.kind = Tok::dedent;
    } else if (m_pending_dents > 0) {
        --m_pending_dents;
        token.kind = Tok::indent;
    } else if (had_newline) {
        token.kind = scan_newline();
    } else if (m_in.at_end()) {
        token.kind = Tok::end_of_input;
    } else {
        token.kind = scan_content();
    }
}

// skip_whitespace(true), except that a run of spaces between two tokens (the common case) is taken
// without it.
bool Lexer::skip_blank() {
    if (!m_in.take_plain_run(is_blank).empty() && !k_maybe_blank[static_cast<unsigned char>(m_in.peek())]) {
        return false;
    }
    return skip_whitespace(true);
}

// A name, keyword, string, number or operator starting at the current (non-blank) byte.
Tok Lexer::scan_content() {
    switch (k_start[static_cast<unsigned char>(m_in.peek())]) {
    case Start::quote:
        return scan_strings();
    case Start::prefix:
        if (at_string_start()) {
            return scan_strings();
        }
        return scan_name();
    case Start::name:
        return scan_name();
    case Start::digit:
        return scan_number();
    case Start::dot:
        return is_digit(m_in.peek(1)) ? scan_number() : scan_operator();
    case Start::other:
        break;
    }
    return scan_operator();
}

bool Lexer::skip_whitespace(bool stop_at_newline) {
    for (;;) {
        const char c = m_in.peek();
        if (c == ' ') {
            if (m_in.take_plain_run(is_blank).empty()) {
                m_in.advance();
            }
        } else if (c == '\n') {
            if (stop_at_newline && m_bracket_depth == 0) {
                return true;
            }
            m_in.advance();
        } else if (is_space(c)) {
            m_in.advance();
            m_in.take_plain_run(is_blank);
        } else if (c == '#') {
            m_in.take_plain_run(is_comment_byte);
            while (!m_in.at_end() && m_in.peek() != '\n') {
                m_in.advance();
            }
        } else if (c == '\\' && m_in.peek(1) == '\n') {
            m_in.advance();
            m_in.advance();
        } else {
            return false;
        }
    }
}

Tok Lexer::scan_newline() {
    skip_whitespace(false);
    std::uint32_t spaces = m_in.column() - 1;
    if (spaces > m_indents.back()) {
        m_indents.push_back(spaces);
        m_pending_dents = 1;
        return Tok::newline;
    }
    while (spaces < m_indents.back()) {
        m_indents.pop_back();
        --m_pending_dents;
    }
    if (spaces != m_indents.back()) {
        m_scan = Scan::dedent_mismatch;
    }
    return Tok::newline;
}

Tok Lexer::scan_name() {
    const bool from_source = m_in.reading_source();
    const std::string_view run = m_in.take_plain_run(is_name_tail); // the whole name unless text is injected
    if (from_source && !is_name_tail(m_in.peek())) {
        m_token->view = run; // the source copy outlives the token
        m_token->viewed = true;
        return name_kind(run);
    }
    text().assign(run);
    while (is_name_tail(m_in.peek())) {
        text() += m_in.peek();
        m_in.advance();
    }
    return name_kind(text());
}

// Tok::name, or the keyword `name` spells.
Tok Lexer::name_kind(std::string_view name) const {
    if (name.size() < 2 || name.size() > k_longest_keyword) {
        return name.size() == 9 && name == "__debug__" ? (m_debug_value ? Tok::kw_True : Tok::kw_False)
                                                       : Tok::name;
    }
    const auto first = static_cast<unsigned char>(name[0]);
    const std::uint64_t word = pack_name(name);
    for (std::size_t c = 0; c < k_keyword_index.count[first]; ++c) {
        const std::size_t k = k_keyword_index.candidates[first][c];
        if (k_keyword_words[k] == word) {
            return k_keywords[k].kind;
        }
    }
    return Tok::name;
}

Tok Lexer::scan_number() {
    Tok kind = Tok::integer;
    bool forced_integer = false;
    if (m_in.peek() == '.') {
        kind = Tok::float_or_imag;
    } else if (m_in.peek() == '0') {
        char base = static_cast<char>(m_in.peek(1) | 0x20);
        forced_integer = base == 'b' || base == 'o' || base == 'x';
    }
    text() += m_in.peek();
    m_in.advance();
    while (!m_in.at_end()) {
        text() += m_in.take_plain_run(is_number_run_byte);
        char c = m_in.peek();
        if (!forced_integer && (c == 'e' || c == 'E')) {
            kind = Tok::float_or_imag;
            text() += 'e';
            m_in.advance();
            if (m_in.peek() == '+' || m_in.peek() == '-') {
                text() += m_in.peek();
                m_in.advance();
            }
        } else if (is_alpha(c) || is_digit(c) || c == '.') {
            if (c == '.' || c == 'j' || c == 'J') {
                kind = Tok::float_or_imag;
            }
            text() += c;
            m_in.advance();
        } else if (c == '_') {
            m_in.advance();
        } else {
            break;
        }
    }
    return kind;
}

Tok Lexer::scan_operator() {
    const auto first = static_cast<unsigned char>(m_in.peek());
    const std::size_t candidates = k_operator_index.count[first];
    if (candidates == 1 && k_operators[k_operator_index.candidates[first][0]].text.size() == 1) {
        const Tok kind = k_operators[k_operator_index.candidates[first][0]].kind; // ( ) [ ] { } , ; ~
        m_in.advance_same_line(1);
        track_brackets(kind);
        return kind;
    }
    const char c1 = m_in.peek(1);
    const char c2 = m_in.peek(2);
    for (std::size_t i = 0; i < candidates; ++i) {
        const Operator& op = k_operators[k_operator_index.candidates[first][i]];
        const std::size_t size = op.text.size();
        if ((size >= 2 && op.text[1] != c1) || (size == 3 && op.text[2] != c2)) {
            continue;
        }
        m_in.advance_same_line(size);
        track_brackets(op.kind);
        return op.kind;
    }
    m_in.advance();
    m_scan = Scan::invalid;
    return Tok::end_of_input;
}

void Lexer::track_brackets(Tok kind) {
    switch (kind) {
    case Tok::del_paren_open:
    case Tok::del_bracket_open:
    case Tok::del_brace_open:
        ++m_bracket_depth;
        break;
    case Tok::del_paren_close:
    case Tok::del_bracket_close:
    case Tok::del_brace_close:
        --m_bracket_depth; // may wrap, as the reference's does; the parser has failed by then
        break;
    default:
        break;
    }
}

std::vector<Token> tokenize(std::string_view source, const Options& options) {
    Lexer lexer(source, options);
    std::vector<Token> tokens;
    do {
        tokens.push_back(lexer.next());
        Token& token = tokens.back();
        if (token.viewed) { // owns its text: the lexer's source copy goes with the lexer
            token.buffer.assign(token.view);
            token.viewed = false;
        }
        if (token.kind == Tok::error)
            lexer.raise_error(tokens.back());
    } while (tokens.back().kind != Tok::end_of_input);
    return tokens;
}

} // namespace mpyship::compiler
