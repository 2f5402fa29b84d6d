// Parser entry point and token handling: the current token, matching, names (interned, length
// limit) and the syntax-error rule (an INDENT token makes it "unexpected indent").
#include "mpyship/compiler/parser.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/parser_impl.h"
#include "mpyship/compiler/parser_qstrs.h"
#include "mpyship/mpy/static_qstrs.h"

namespace mpyship::compiler {

Module parse_module(std::string_view source, const Options& options) {
    Parser parser(source, options);
    return parser.parse_file();
}

Parser::Parser(std::string_view source, const Options& options)
    : m_lexer(source, options), m_options(options) {
    if (!options.source_name.empty()) {
        m_interned.insert(options.source_name);
    }
    m_lexer.next(m_tok);
}

Module Parser::parse_file() {
    Module module;
    if (at(Tok::end_of_input))
        module.bare_end_line = m_tok.pos.line;
    const std::uint32_t first_line = m_tok.pos.line;
    const bool starts_with_line_end = at(Tok::newline);
    while (!at(Tok::end_of_input)) {
        if (!accept(Tok::newline)) {
            parse_statement(module.body);
        }
    }
    // A module of one statement is that statement's own node in the reference (measured: `\`, then a
    // removed const alone, marks nothing), unless a line end comes first.
    if (first_line > 1 && (module.body.size() >= 2 || (starts_with_line_end && !module.body.empty())))
        module.first_token_line = first_line;
    return module;
}

void Parser::expect(Tok kind) {
    if (!accept(kind)) {
        syntax_error();
    }
}

std::string Parser::take_name() {
    if (!at(Tok::name)) {
        syntax_error();
    }
    std::string name(m_tok.text());
    if (name.size() > k_max_name_length) {
        throw CompileError{"RuntimeError", "name too long", m_tok.pos, "", false};
    }
    note_interned(name);
    advance();
    return name;
}

void Parser::syntax_error() const {
    if (at(Tok::error)) {
        m_lexer.raise_error(m_tok); // its own message: "unindent doesn't match ...", "malformed f-string", ...
    }
    if (at(Tok::indent)) {
        throw CompileError{"IndentationError", "unexpected indent", m_tok.pos, "", true};
    }
    throw CompileError{"SyntaxError", "invalid syntax", m_tok.pos, "", true};
}

bool Parser::is_interned(const std::string& s) const {
    return s.size() <= k_always_interned_length || m_interned.contains(s) ||
           reference_long_qstr_set().contains(s) || mpy::static_qstr_index(s).has_value();
}

void Parser::too_deep() const {
    throw CompileError{"MemoryError", "memory allocation failed", m_tok.pos, "", false};
}

} // namespace mpyship::compiler
