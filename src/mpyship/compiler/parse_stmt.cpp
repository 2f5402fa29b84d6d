// Statement parsing: simple statements (including assignment forms and const() definitions),
// compound statements, suites, decorators, parameters and imports.
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/parser_impl.h"

namespace mpyship::compiler {
namespace {

std::optional<BinOpKind> aug_assign_op(Tok kind) {
    switch (kind) {
    case Tok::op_pipe_assign:
        return BinOpKind::bit_or;
    case Tok::op_caret_assign:
        return BinOpKind::bit_xor;
    case Tok::op_ampersand_assign:
        return BinOpKind::bit_and;
    case Tok::op_dbl_less_assign:
        return BinOpKind::lshift;
    case Tok::op_dbl_more_assign:
        return BinOpKind::rshift;
    case Tok::op_plus_assign:
        return BinOpKind::add;
    case Tok::op_minus_assign:
        return BinOpKind::sub;
    case Tok::op_star_assign:
        return BinOpKind::mul;
    case Tok::op_at_assign:
        return BinOpKind::matmul;
    case Tok::op_slash_assign:
        return BinOpKind::div;
    case Tok::op_dbl_slash_assign:
        return BinOpKind::floordiv;
    case Tok::op_percent_assign:
        return BinOpKind::mod;
    case Tok::op_dbl_star_assign:
        return BinOpKind::pow;
    default:
        return std::nullopt;
    }
}

bool is_compound_start(Tok kind) {
    switch (kind) {
    case Tok::kw_if:
    case Tok::kw_while:
    case Tok::kw_for:
    case Tok::kw_try:
    case Tok::kw_with:
    case Tok::kw_def:
    case Tok::kw_class:
    case Tok::op_at:
    case Tok::kw_async:
        return true;
    default:
        return false;
    }
}

} // namespace

void Parser::parse_statement(StmtList& out) {
    if (is_compound_start(tok().kind)) {
        out.push_back(parse_compound(tok().pos));
    } else {
        parse_simple_statements(out);
    }
}

void Parser::parse_simple_statements(StmtList& out) {
    const std::size_t first = out.size();
    out.push_back(parse_small_statement());
    bool semicolon = false;
    while (accept(Tok::del_semicolon)) {
        semicolon = true;
        if (at(Tok::newline)) {
            break;
        }
        out.push_back(parse_small_statement());
    }
    for (std::size_t i = first; semicolon && i < out.size(); ++i)
        out[i]->in_semicolon_line = true;
    expect(Tok::newline);
}

StmtList Parser::parse_suite() {
    StmtList body;
    if (!accept(Tok::newline)) {
        parse_simple_statements(body);
        return body;
    }
    expect(Tok::indent);
    do {
        parse_statement(body);
    } while (!accept(Tok::dedent));
    return body;
}

StmtPtr Parser::parse_compound(SourcePos start) {
    switch (tok().kind) {
    case Tok::kw_if:
        return parse_if(start, false);
    case Tok::kw_while:
        return parse_while(start);
    case Tok::kw_for:
        return parse_for(start, false);
    case Tok::kw_try:
        return parse_try(start);
    case Tok::kw_with:
        return parse_with(start, false);
    case Tok::kw_def:
        return parse_funcdef(start, false);
    case Tok::kw_class:
        return parse_classdef(start);
    case Tok::op_at:
        return parse_decorated(start);
    default:
        break;
    }
    advance(); // async
    if (at(Tok::kw_def)) {
        return parse_funcdef(start, true);
    }
    if (at(Tok::kw_with)) {
        return parse_with(start, true);
    }
    if (at(Tok::kw_for)) {
        return parse_for(start, true);
    }
    syntax_error();
}

StmtList Parser::parse_else_block() {
    expect(Tok::del_colon);
    return parse_suite();
}

StmtPtr Parser::parse_if(SourcePos start, bool is_elif) {
    advance();
    auto node = std::make_unique<If>(start);
    node->is_elif = is_elif;
    node->test = parse_namedexpr_test();
    expect(Tok::del_colon);
    node->body = parse_suite();
    if (at(Tok::kw_elif)) {
        node->orelse.push_back(parse_if(tok().pos, true));
    } else if (accept(Tok::kw_else)) {
        node->orelse = parse_else_block();
    }
    return node;
}

StmtPtr Parser::parse_while(SourcePos start) {
    advance();
    auto node = std::make_unique<While>(start);
    node->test = parse_namedexpr_test();
    expect(Tok::del_colon);
    node->body = parse_suite();
    if (accept(Tok::kw_else)) {
        node->orelse = parse_else_block();
    }
    return node;
}

StmtPtr Parser::parse_for(SourcePos start, bool is_async) {
    advance();
    auto node = std::make_unique<For>(start);
    node->is_async = is_async;
    node->target = parse_exprlist();
    expect(Tok::kw_in);
    node->iter = parse_testlist(false, true);
    expect(Tok::del_colon);
    node->body = parse_suite();
    if (accept(Tok::kw_else)) {
        node->orelse = parse_else_block();
    }
    return node;
}

StmtPtr Parser::parse_try(SourcePos start) {
    advance();
    auto node = std::make_unique<Try>(start);
    expect(Tok::del_colon);
    node->body = parse_suite();
    while (at(Tok::kw_except)) {
        ExceptHandler handler;
        handler.pos = tok().pos;
        advance();
        if (!at(Tok::del_colon)) {
            handler.type = parse_test();
            if (accept(Tok::kw_as)) {
                handler.name = take_name();
            }
        }
        expect(Tok::del_colon);
        handler.body = parse_suite();
        node->handlers.push_back(std::move(handler));
    }
    if (!node->handlers.empty() && accept(Tok::kw_else)) {
        node->orelse = parse_else_block();
    }
    if (accept(Tok::kw_finally)) {
        node->has_finally = true;
        node->finalbody = parse_else_block();
    } else if (node->handlers.empty()) {
        syntax_error();
    }
    return node;
}

StmtPtr Parser::parse_with(SourcePos start, bool is_async) {
    advance();
    auto node = std::make_unique<With>(start);
    node->is_async = is_async;
    do {
        WithItem item;
        item.context = parse_test();
        if (accept(Tok::kw_as)) {
            item.target = parse_binary_level(0);
        }
        node->items.push_back(std::move(item));
    } while (accept(Tok::del_comma));
    expect(Tok::del_colon);
    node->body = parse_suite();
    return node;
}

Param Parser::parse_param(bool typed) {
    Param p;
    p.pos = tok().pos;
    if (accept(Tok::op_star)) {
        p.kind = Param::Kind::star;
        if (!at(Tok::name)) {
            return p;
        }
    } else if (accept(Tok::op_dbl_star)) {
        p.kind = Param::Kind::double_star;
    }
    p.name = take_name();
    if (typed && accept(Tok::del_colon)) {
        p.annotation = parse_test();
    }
    if (p.kind == Param::Kind::normal && accept(Tok::op_assign)) {
        p.default_value = parse_test();
    }
    return p;
}

ParamList Parser::parse_params(Tok closer, bool typed) {
    ParamList params;
    while (!at(closer)) {
        if (!at(Tok::name) && !at(Tok::op_star) && !at(Tok::op_dbl_star)) {
            syntax_error();
        }
        params.push_back(parse_param(typed));
        if (!accept(Tok::del_comma)) {
            break;
        }
    }
    return params;
}

StmtPtr Parser::parse_funcdef(SourcePos start, bool is_async) {
    advance();
    auto node = std::make_unique<FunctionDef>(start);
    node->is_async = is_async;
    node->name = take_name();
    expect(Tok::del_paren_open);
    node->params = parse_params(Tok::del_paren_close, true);
    expect(Tok::del_paren_close);
    if (accept(Tok::op_arrow)) {
        node->returns = parse_test();
    }
    expect(Tok::del_colon);
    node->body = parse_suite();
    return node;
}

StmtPtr Parser::parse_classdef(SourcePos start) {
    advance();
    auto node = std::make_unique<ClassDef>(start);
    node->name = take_name();
    if (accept(Tok::del_paren_open)) {
        node->has_parens = true;
        parse_arglist(node->bases, Tok::del_paren_close);
        expect(Tok::del_paren_close);
    }
    expect(Tok::del_colon);
    node->body = parse_suite();
    return node;
}

StmtPtr Parser::parse_decorated(SourcePos start) {
    ExprList decorators;
    while (at(Tok::op_at)) {
        SourcePos pos = tok().pos;
        advance();
        SourcePos name_pos = tok().pos;
        ExprPtr expr = std::make_unique<Name>(name_pos, take_name());
        while (accept(Tok::del_period)) {
            expr = std::make_unique<Attribute>(name_pos, std::move(expr), take_name());
        }
        if (at(Tok::del_paren_open)) {
            auto call = std::make_unique<Call>(pos, std::move(expr));
            advance();
            parse_arglist(call->args, Tok::del_paren_close);
            expect(Tok::del_paren_close);
            expr = std::move(call);
        }
        expect(Tok::newline);
        decorators.push_back(std::move(expr));
    }
    SourcePos def_pos = tok().pos;
    StmtPtr body;
    if (at(Tok::kw_class)) {
        body = parse_classdef(def_pos);
        body->as<ClassDef>().decorators = std::move(decorators);
        body->as<ClassDef>().decorated_pos = start;
    } else {
        bool is_async = accept(Tok::kw_async);
        if (!at(Tok::kw_def)) {
            syntax_error();
        }
        body = parse_funcdef(def_pos, is_async);
        body->as<FunctionDef>().decorators = std::move(decorators);
        body->as<FunctionDef>().decorated_pos = start;
    }
    return body;
}

std::string Parser::parse_dotted_name() {
    std::string name = take_name();
    while (accept(Tok::del_period)) {
        name += '.';
        name += take_name();
    }
    return name;
}

StmtPtr Parser::parse_import(SourcePos start) {
    advance();
    auto node = std::make_unique<Import>(start);
    do {
        ImportAlias alias;
        alias.name = parse_dotted_name();
        if (accept(Tok::kw_as)) {
            alias.asname = take_name();
        }
        node->names.push_back(std::move(alias));
    } while (accept(Tok::del_comma));
    return node;
}

StmtPtr Parser::parse_from_import(SourcePos start) {
    advance();
    auto node = std::make_unique<ImportFrom>(start);
    while (at(Tok::del_period) || at(Tok::ellipsis)) {
        node->level += at(Tok::ellipsis) ? 3 : 1;
        advance();
    }
    if (node->level == 0 || at(Tok::name)) {
        node->module = parse_dotted_name();
    }
    expect(Tok::kw_import);
    if (accept(Tok::op_star)) {
        node->star = true;
        return node;
    }
    bool parens = accept(Tok::del_paren_open);
    do {
        if (!node->names.empty() && !at(Tok::name)) {
            break; // trailing comma
        }
        ImportAlias alias;
        alias.name = take_name();
        if (accept(Tok::kw_as)) {
            alias.asname = take_name();
        }
        node->names.push_back(std::move(alias));
    } while (accept(Tok::del_comma));
    if (parens) {
        expect(Tok::del_paren_close);
    }
    return node;
}

StmtPtr Parser::parse_raise(SourcePos start) {
    advance();
    auto node = std::make_unique<Raise>(start);
    if (at(Tok::newline) || at(Tok::del_semicolon)) {
        return node;
    }
    node->exc = parse_test();
    if (accept(Tok::kw_from)) {
        node->cause = parse_test();
    }
    return node;
}

StmtPtr Parser::parse_small_statement() {
    SourcePos start = tok().pos;
    switch (tok().kind) {
    case Tok::kw_pass:
        advance();
        return std::make_unique<SimpleStmt>(StmtKind::pass, start);
    case Tok::kw_break:
        advance();
        return std::make_unique<SimpleStmt>(StmtKind::break_, start);
    case Tok::kw_continue:
        advance();
        return std::make_unique<SimpleStmt>(StmtKind::continue_, start);
    case Tok::kw_del:
        advance();
        return std::make_unique<ExprStmt>(StmtKind::del, start, parse_exprlist());
    case Tok::kw_return: {
        advance();
        bool empty = at(Tok::newline) || at(Tok::del_semicolon);
        return std::make_unique<ExprStmt>(StmtKind::return_, start,
                                          empty ? nullptr : parse_testlist(false, true));
    }
    case Tok::kw_raise:
        return parse_raise(start);
    case Tok::kw_import:
        return parse_import(start);
    case Tok::kw_from:
        return parse_from_import(start);
    case Tok::kw_global:
    case Tok::kw_nonlocal: {
        auto node =
            std::make_unique<NameListStmt>(at(Tok::kw_global) ? StmtKind::global : StmtKind::nonlocal, start);
        advance();
        do {
            node->names.push_back(take_name());
        } while (accept(Tok::del_comma));
        return node;
    }
    case Tok::kw_assert: {
        advance();
        auto node = std::make_unique<Assert>(start);
        node->test = parse_test();
        if (accept(Tok::del_comma)) {
            node->msg = parse_test();
        }
        return node;
    }
    default:
        return parse_expr_statement();
    }
}

StmtPtr Parser::parse_expr_statement() {
    SourcePos start = tok().pos;
    if (at(Tok::kw_yield)) {
        return std::make_unique<ExprStmt>(StmtKind::expr, start, parse_yield_expr());
    }
    ExprPtr first = parse_testlist(true, true);
    if (accept(Tok::del_colon)) {
        auto node = std::make_unique<AnnAssign>(start);
        node->target = std::move(first);
        node->annotation = parse_test();
        if (accept(Tok::op_assign)) {
            node->value = parse_rhs();
        }
        return node;
    }
    if (auto op = aug_assign_op(tok().kind)) {
        advance();
        return std::make_unique<AugAssign>(start, std::move(first), *op, parse_rhs());
    }
    if (at(Tok::op_assign)) {
        return parse_assign_tail(start, std::move(first));
    }
    if (first->kind == ExprKind::constant) {
        return std::make_unique<SimpleStmt>(StmtKind::pass, start); // lonely constants (docstrings) vanish
    }
    return std::make_unique<ExprStmt>(StmtKind::expr, start, std::move(first));
}

StmtPtr Parser::parse_assign_tail(SourcePos start, ExprPtr first) {
    auto node = std::make_unique<Assign>(start);
    ExprPtr value = std::move(first);
    while (accept(Tok::op_assign)) {
        node->targets.push_back(std::move(value));
        value = parse_rhs();
    }
    node->value = std::move(value);
    if (node->targets.size() == 1) {
        return finish_const_assign(std::move(node));
    }
    return node;
}

// `NAME = const(value)`: records the constant; `_NAME = const(value)` leaves no statement behind.
StmtPtr Parser::finish_const_assign(std::unique_ptr<Assign> assign) {
    const Expr& target = *assign->targets[0];
    if (target.kind != ExprKind::name || assign->value->kind != ExprKind::call) {
        return assign;
    }
    auto& call = assign->value->as<Call>();
    if (call.func->kind != ExprKind::name || call.func->as<Name>().id != "const") {
        return assign;
    }
    bool single = call.args.size() == 1 && !call.trailing_comma && call.args[0].kind == Argument::Kind::positional &&
                  is_constant_expr(*call.args[0].value);
    if (!single) {
        throw CompileError{"SyntaxError", "not a constant", call.pos, "", true};
    }
    const std::string& id = target.as<Name>().id;
    const Expr& value = *call.args[0].value;
    m_consts[id] = ConstName{constant_of(value), value.kind == ExprKind::constant && value.as<Constant>().boxed_int};
    if (id[0] == '_') {
        return std::make_unique<SimpleStmt>(StmtKind::const_def, assign->pos);
    }
    assign->value = std::move(call.args[0].value);
    return assign;
}

} // namespace mpyship::compiler
