// String and bytes literals: prefixes, adjacent-literal concatenation, escapes, and the f-string /
// t-string desugaring. An f-string becomes format text plus generated argument source
// ".format((expr),...)"; a t-string becomes the call "__template__((strings,...),expr,'expr',conv,spec,...)".
// The generated text is injected back into the character stream and lexed like ordinary source.
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/lexer.h"

namespace mpyship::compiler {

struct Lexer::StringPiece {
    Scan kind = Scan::string;
    bool raw = false;
    bool fstring = false;
    bool tstring = false;
    std::size_t prefix_length = 0;
};

namespace {

bool is_quote(char c) {
    return c == '\'' || c == '"';
}
bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_xdigit(char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
// Literal content copied as it is (t-strings excepted): no quote, escape, brace, line end, tab or end.
bool is_literal_run_byte(char c, char quote) {
    return c != quote && c != '\\' && c != '{' && c != '\n' && c != '\t' && c != '\0';
}
std::uint32_t xdigit_value(char c) {
    return c <= '9' ? static_cast<std::uint32_t>(c - '0') : ((c | 0x20) - 'a' + 10u);
}

} // namespace

bool Lexer::at_string_start() const {
    // Most tokens start with neither a quote nor a prefix letter: decide on the first byte when possible.
    const char c0 = m_in.peek();
    if (is_quote(c0)) {
        return true;
    }
    const bool mp = m_target == Target::micropython;
    if (!(c0 == 'r' || c0 == 'u' || c0 == 'b' || c0 == 'f' || (mp && c0 == 't'))) {
        return false;
    }
    const char c1 = m_in.peek(1);
    if (is_quote(c1)) {
        return true;
    }
    const char c2 = m_in.peek(2);
    bool pair = (c0 == 'r' && (c1 == 'b' || c1 == 'f' || (mp && c1 == 't'))) ||
                ((c0 == 'b' || c0 == 'f' || (mp && c0 == 't')) && c1 == 'r');
    return pair && is_quote(c2);
}

Lexer::StringPiece Lexer::scan_prefix() {
    StringPiece p;
    char c0 = m_in.peek();
    char c1 = m_in.peek(1);
    if (is_quote(c0)) {
        return p;
    }
    p.prefix_length = is_quote(c1) ? 1 : 2;
    p.raw = c0 == 'r' || c1 == 'r';
    p.kind = (c0 == 'b' || (c0 == 'r' && c1 == 'b')) ? Scan::bytes : Scan::string;
    p.fstring = c0 == 'f' || (c0 == 'r' && c1 == 'f');
    p.tstring = c0 == 't' || (c0 == 'r' && c1 == 't');
    return p;
}

Tok Lexer::scan_strings() {
    bool had_tstring = false;
    do {
        StringPiece piece = scan_prefix();
        if (m_scan == Scan::none) {
            m_scan = piece.kind;
        } else if (m_scan != piece.kind) {
            break; // str and bytes do not concatenate (nor does anything after an error)
        }
        for (std::size_t i = 0; i < piece.prefix_length; ++i) {
            m_in.advance();
        }
        had_tstring = had_tstring || piece.tstring;
        scan_literal(piece);
        skip_whitespace(true);
    } while (at_string_start());

    Tok kind = m_scan == Scan::bytes ? Tok::bytes : Tok::string;
    if (had_tstring) {
        finish_tstring_text();
        if (m_scan == Scan::string || m_scan == Scan::bytes) {
            kind = Tok::name;
            text() = "__template__";
        }
    }
    if (m_target == Target::micropython) {
        // Measured: when the string ends the input (only blanks and comments after it), mpy-cross reports every
        // position at the end one line further down once it has read the format arguments it injects.
        m_eof_line_bump = m_eof_line_bump || (!m_fargs.empty() && m_in.at_end());
        inject_format_args();
    }
    return kind;
}

void Lexer::finish_tstring_text() {
    text() += ",),";
    m_fargs.insert(0, text());
}

void Lexer::inject_format_args() {
    if (m_fargs.empty()) {
        return;
    }
    m_fargs += ')';
    m_in.insert_before_current(m_fargs);
    m_fargs.clear();
}

void Lexer::scan_literal(const StringPiece& piece) {
    char quote = m_in.peek();
    m_in.advance();
    std::size_t quotes = 1;
    if (m_in.peek() == quote && m_in.peek(1) == quote) {
        m_in.advance();
        m_in.advance();
        quotes = 3;
    }
    m_quote = quote;
    m_quotes = quotes;
    if (piece.fstring && m_fargs.empty()) {
        m_fargs = ".format(";
    }
    if (piece.tstring && m_fargs.empty()) {
        text() += "((";
        text().append(quotes, quote);
    }
    m_t = TState{};
    std::size_t closing = 0;
    while (!m_in.at_end() && (quotes > 1 || m_in.peek() != '\n') && closing < quotes) {
        char c = m_in.peek();
        if (c == quote) {
            ++closing;
            text() += c;
            m_in.advance();
            continue;
        }
        if (piece.tstring && c == '\n') {
            text() += "\\n";
            m_in.advance();
            continue;
        }
        closing = 0;
        if (!piece.tstring) {
            const std::string_view run =
                m_in.take_plain_run([quote](char b) { return is_literal_run_byte(b, quote); });
            if (!run.empty()) {
                text() += run;
                continue;
            }
        }
        if ((piece.fstring || piece.tstring) && c == '{' && scan_brace(piece)) {
            continue;
        }
        scan_escape(piece);
        m_in.advance();
    }
    if (closing < quotes) {
        m_scan = Scan::unterminated;
    }
    if (!piece.tstring) {
        text().resize(text().size() - closing);
        return;
    }
    if (m_t.spec_depth > 0) {
        m_scan = Scan::malformed_fstring;
    }
    if (1 + m_t.interpolations * 4 > 255) {
        m_fargs = "(" + m_fargs + ")"; // too many call arguments: the interpolations become one tuple
    }
}

// Handles a run of '{' in an f-/t-string. Returns true when the main loop should re-examine the
// current character from the top (MicroPython), false when it is to be taken as literal content.
bool Lexer::scan_brace(const StringPiece& piece) {
    while (m_in.peek() == '{') {
        if (piece.tstring && m_t.spec_depth > 0) {
            ++m_t.spec_depth; // a nested field inside a t-string format spec
            return false;
        }
        m_in.advance();
        if (m_in.peek() == '{') {
            if (!piece.tstring) {
                text() += '{';
            }
            m_in.advance();
        } else {
            scan_interpolation(piece);
        }
        text() += '{';
        if (m_target == Target::micropython) {
            return true;
        }
    }
    return false;
}

// CircuitPython's lexer can read its own generated argument text back as source (f'{}]{}' inside an
// f-string) and grows it until its fixed heap is full; its mpy-cross then prints "MemoryError: ".
void Lexer::check_fargs_budget() const {
    if (m_fargs.size() > k_fargs_budget) {
        throw CompileError{"MemoryError", "", SourcePos{m_in.line(), m_in.column()}, "", false};
    }
}

void Lexer::scan_interpolation(const StringPiece& piece) {
    check_fargs_budget();
    m_fargs += '(';
    std::size_t start = m_fargs.size();
    unsigned depth = 0;
    while (!m_in.at_end()) {
        char c = m_in.peek();
        bool conversion = c == '!' && (m_in.peek(1) == 'r' || m_in.peek(1) == 's') &&
                          (m_in.peek(2) == ':' || m_in.peek(2) == '}');
        if (depth == 0 && (c == ':' || c == '}' || conversion)) {
            break;
        }
        check_fargs_budget();
        if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth; // unsigned wrap-around, as in the reference
        }
        m_fargs += c;
        m_in.advance();
    }
    bool debug = false;
    if (m_fargs.back() == '=') {
        text().append(m_fargs, start, std::string::npos); // f'{x=}' shows "x=" before the value
        m_fargs.pop_back();
        debug = true;
    }
    if (piece.tstring) {
        while (m_fargs.size() > 0 && is_space(m_fargs.back())) {
            m_fargs.pop_back();
        }
    }
    if (m_fargs.size() == start && m_target == Target::micropython) {
        m_scan = Scan::malformed_fstring; // CircuitPython accepts f'{}': the argument becomes ()
    }
    m_fargs += "),";
    if (piece.tstring) {
        scan_interpolation_tail(start, debug);
    }
}

// t-string: after the expression come its source text, the conversion and (later) the format spec.
void Lexer::scan_interpolation_tail(std::size_t start, bool debug) {
    char quote = m_quote;
    m_fargs += quote;
    std::size_t expr_length = m_fargs.size() - start - 3;
    for (std::size_t j = 0; j < expr_length; ++j) {
        char b = m_fargs[start + j];
        if (b == quote || b == '\\') {
            m_fargs += '\\';
        }
        m_fargs += b;
    }
    m_fargs += quote;
    m_fargs += ',';
    text().append(m_quotes, quote); // the next literal part starts as a new string
    text() += ',';
    text().append(m_quotes, quote);
    if (m_in.peek() == '!') {
        m_in.advance();
        m_fargs += quote;
        m_fargs += m_in.peek();
        m_fargs += quote;
        m_fargs += ',';
        m_in.advance();
    } else if (debug && m_in.peek() != ':') {
        m_fargs += "'r',";
    } else {
        m_fargs += "None,";
    }
    if (m_in.peek() == ':') {
        m_in.advance();
    }
    m_t.spec_depth = 1;
    m_t.spec_start = text().size();
}

void Lexer::close_tstring_spec() {
    char quote = m_quote;
    if (--m_t.spec_depth > 0) {
        m_t.spec_needs_fstring = true;
        text() += '}';
        return;
    }
    ++m_t.interpolations;
    if (m_t.spec_needs_fstring) {
        m_fargs += 'f';
        m_t.spec_needs_fstring = false;
    }
    m_fargs += quote;
    m_fargs.append(text(), m_t.spec_start + 1, std::string::npos);
    m_fargs += quote;
    m_fargs += ',';
    text().resize(m_t.spec_start);
}

// One character of literal content at the current position (the caller advances past it).
void Lexer::scan_escape(const StringPiece& piece) {
    char c = m_in.peek();
    if (piece.tstring && c == '\\') {
        text() += '\\'; // kept as an escape: the generated text is lexed again as a string
        if (piece.raw) {
            text() += '\\';
        } else {
            m_in.advance();
            text() += m_in.peek();
        }
        return;
    }
    if (piece.tstring && m_t.spec_depth > 0 && c == '}') {
        close_tstring_spec();
        return;
    }
    if (c != '\\') {
        text() += c;
        if (piece.tstring && c == '}' && m_in.peek(1) == '}') {
            m_in.advance();
        } else if (piece.tstring && c == '}') {
            m_scan = Scan::malformed_fstring;
        }
        return;
    }
    m_in.advance();
    std::uint32_t value = static_cast<unsigned char>(m_in.peek());
    if (piece.raw) {
        text() += '\\';
    } else if (!decode_escape(value)) {
        return;
    }
    if (value < 0x110000 && m_scan == Scan::string) {
        add_code_point(value);
    } else if (value < 0x100 && m_scan == Scan::bytes) {
        text() += static_cast<char>(value);
    } else {
        m_scan = Scan::invalid;
    }
}

// Decodes the escape whose letter is current; false when nothing is to be added (escaped newline).
bool Lexer::decode_escape(std::uint32_t& value) {
    switch (value) {
    case '\n':
        return false;
    case '\\':
    case '\'':
    case '"':
        return true;
    case 'a':
        value = 0x07;
        return true;
    case 'b':
        value = 0x08;
        return true;
    case 't':
        value = 0x09;
        return true;
    case 'n':
        value = 0x0a;
        return true;
    case 'v':
        value = 0x0b;
        return true;
    case 'f':
        value = 0x0c;
        return true;
    case 'r':
        value = 0x0d;
        return true;
    case 'N':
        throw CompileError{
            "NotImplementedError", "unicode name escapes", {m_in.line(), m_in.column()}, "", false};
    case 'x':
    case 'u':
    case 'U':
        return decode_hex_escape(value);
    default:
        break;
    }
    if (value >= '0' && value <= '7') {
        value -= '0';
        for (int digits = 1; digits < 3 && m_in.peek(1) >= '0' && m_in.peek(1) <= '7'; ++digits) {
            m_in.advance();
            value = value * 8 + static_cast<std::uint32_t>(m_in.peek() - '0');
        }
        return true;
    }
    add_code_point('\\'); // unknown escapes are kept verbatim
    return true;
}

bool Lexer::decode_hex_escape(std::uint32_t& value) {
    if (value != 'x' && m_scan == Scan::bytes) {
        text() += '\\'; // b'\u1234' is the six characters as written
        return true;
    }
    int digits = value == 'x' ? 2 : value == 'u' ? 4 : 8;
    value = 0;
    for (int i = 0; i < digits; ++i) {
        m_in.advance();
        char c = m_in.peek();
        if (!is_xdigit(c)) {
            m_scan = Scan::invalid;
            value = 0;
            return true;
        }
        value = (value << 4) + xdigit_value(c);
    }
    return true;
}

// UTF-8 encoding of any value below 0x110000 (surrogates included, as the reference does).
void Lexer::add_code_point(std::uint32_t c) {
    if (c < 0x80) {
        text() += static_cast<char>(c);
    } else if (c < 0x800) {
        text() += static_cast<char>(0xc0 | (c >> 6));
        text() += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        text() += static_cast<char>(0xe0 | (c >> 12));
        text() += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        text() += static_cast<char>(0x80 | (c & 0x3f));
    } else {
        text() += static_cast<char>(0xf0 | (c >> 18));
        text() += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        text() += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        text() += static_cast<char>(0x80 | (c & 0x3f));
    }
}

} // namespace mpyship::compiler
