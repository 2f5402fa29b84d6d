// The recursive-descent parser's internal interface, shared by parse_stmt.cpp, parse_expr.cpp and
// parse_atom.cpp. One Parser parses one module; it owns the lexer, the current token, the table of
// const() names and the emulation of the reference's interned-string pool.
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/lexer.h"

#include <map>
#include <unordered_set>

namespace mpyship::compiler {

// Strings this short are always interned by the reference (see Parser::is_interned).
inline constexpr std::size_t k_always_interned_length = 10;

class Parser {
  public:
    Parser(std::string_view source, const Options& options);
    Module parse_file();

    // --- tokens (parser.cpp)
    const Token& tok() const { return m_tok; }
    bool at(Tok kind) const { return m_tok.kind == kind; }
    bool accept(Tok kind) { // inline: called for nearly every token, and usually false
        if (!at(kind)) {
            return false;
        }
        advance();
        return true;
    }
    void expect(Tok kind);
    void advance() { m_lexer.next(m_tok); }
    std::string take_name();
    [[noreturn]] void syntax_error() const;
    // Only longer strings need remembering: is_interned() accepts every short one anyway.
    void note_interned(const std::string& s) {
        if (s.size() > k_always_interned_length)
            m_interned.insert(s);
    }
    bool is_interned(const std::string& s) const;

    // --- statements (parse_stmt.cpp)
    void parse_statement(StmtList& out);
    void parse_simple_statements(StmtList& out);
    StmtPtr parse_small_statement();
    StmtPtr parse_expr_statement();
    StmtList parse_suite();
    StmtPtr parse_compound(SourcePos start);
    StmtPtr parse_if(SourcePos start, bool is_elif);
    StmtPtr parse_while(SourcePos start);
    StmtPtr parse_for(SourcePos start, bool is_async);
    StmtPtr parse_try(SourcePos start);
    StmtPtr parse_with(SourcePos start, bool is_async);
    StmtPtr parse_funcdef(SourcePos start, bool is_async);
    StmtPtr parse_classdef(SourcePos start);
    StmtPtr parse_decorated(SourcePos start);
    StmtPtr parse_import(SourcePos start);
    StmtPtr parse_from_import(SourcePos start);
    StmtPtr parse_raise(SourcePos start);
    StmtPtr parse_assign_tail(SourcePos start, ExprPtr first);
    StmtPtr finish_const_assign(std::unique_ptr<Assign> assign);
    std::string parse_dotted_name();
    StmtList parse_else_block();
    ParamList parse_params(Tok closer, bool typed);
    Param parse_param(bool typed);

    // --- expressions (parse_expr.cpp)
    ExprPtr parse_test();
    ExprPtr parse_test_nocond();
    ExprPtr parse_namedexpr_test();
    ExprPtr parse_lambda(bool nocond);
    ExprPtr parse_or_test();
    ExprPtr finish_or_test(SourcePos start, ExprPtr first);
    ExprPtr parse_and_test();
    ExprPtr finish_and_test(SourcePos start, ExprPtr first);
    ExprPtr parse_not_test();
    ExprPtr parse_comparison();
    ExprPtr finish_comparison(SourcePos start, ExprPtr left);
    ExprPtr parse_binary_level(int level);
    ExprPtr finish_binary_level(int level, SourcePos start, ExprPtr first);
    ExprPtr finish_binary_chain(int level, SourcePos start, ExprPtr first, BinOpKind op, ExprPtr second);
    ExprPtr parse_factor();
    ExprPtr parse_power();
    ExprPtr parse_star_expr();
    ExprPtr parse_testlist(bool allow_star, bool fold);
    ExprPtr parse_exprlist();
    ExprPtr parse_yield_expr();
    ExprPtr parse_rhs(); // yield_expr | testlist_star_expr
    ExprPtr fold_bool_chain(SourcePos start, bool is_and, ExprList values);
    static ExprPtr make_tuple(SourcePos pos, ExprList elts, bool parenthesized, bool fold,
                              SourcePos fold_pos);

    // --- atoms and trailers (parse_atom.cpp)
    ExprPtr parse_atom_expr();
    ExprPtr parse_atom();
    ExprPtr parse_name_atom();
    ExprPtr parse_literal_atom();
    ExprPtr parse_paren_atom();
    ExprPtr parse_bracket_atom();
    ExprPtr parse_brace_atom();
    ExprPtr parse_trailers(ExprPtr atom, SourcePos start, bool fold_module_constants = true);
    ExprPtr parse_call_trailer(ExprPtr func, SourcePos start, SourcePos trailer_pos);
    bool at_trailer() const;
    ExprPtr parse_subscript_list();
    ExprPtr parse_subscript();
    bool parse_arglist(ArgumentList& args, Tok closer);
    Argument parse_argument();
    PoolVector<CompFor> parse_comp_fors();
    ExprPtr parse_comprehension(SourcePos start, Comprehension::Kind kind, ExprPtr element, ExprPtr value);
    std::optional<ConstValue> module_constant(const Expr& atom, const std::string& attr) const;

    // nesting guard: the reference runs out of memory on absurd nesting; we must not overflow the stack
    static constexpr int k_max_depth = 400;
    struct DepthGuard {
        Parser& parser;
        explicit DepthGuard(Parser& p) : parser(p) { // inline: taken for every test and atom
            if (++parser.m_depth > k_max_depth)
                parser.too_deep();
        }
        ~DepthGuard() { --parser.m_depth; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
    };

  private:
    [[noreturn]] void too_deep() const;
    Lexer m_lexer;
    Token m_tok;
    Options m_options;
    int m_depth = 0;
    struct ConstName {
        ConstValue value;
        bool boxed_int = false; // see Constant::boxed_int: const(-(1 << 62)) stays a big-int object
    };
    std::map<std::string, ConstName> m_consts;
    std::unordered_set<std::string> m_interned;
};

inline constexpr int k_max_nesting = Parser::k_max_depth;
inline constexpr std::size_t k_max_name_length = 255;

} // namespace mpyship::compiler
