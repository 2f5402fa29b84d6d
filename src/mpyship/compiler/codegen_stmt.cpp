// Simple statements: expression statements, assignments (incl. the a, b = c, d rotation), augmented and
// annotated assignment, del, return, raise, assert, imports, global/nonlocal, break/continue; and the
// dispatch of compound statements to codegen_flow.cpp and codegen_func.cpp.
#include "mpyship/compiler/codegen.h"
#include "mpyship/compiler/huge_fold.h"

namespace mpyship::compiler {

namespace {

BinaryOp inplace_op_of(BinOpKind k) {
    switch (k) {
    case BinOpKind::bit_or:
        return BinaryOp::inplace_or;
    case BinOpKind::bit_xor:
        return BinaryOp::inplace_xor;
    case BinOpKind::bit_and:
        return BinaryOp::inplace_and;
    case BinOpKind::lshift:
        return BinaryOp::inplace_lshift;
    case BinOpKind::rshift:
        return BinaryOp::inplace_rshift;
    case BinOpKind::add:
        return BinaryOp::inplace_add;
    case BinOpKind::sub:
        return BinaryOp::inplace_subtract;
    case BinOpKind::mul:
        return BinaryOp::inplace_multiply;
    case BinOpKind::matmul:
        return BinaryOp::inplace_mat_multiply;
    case BinOpKind::div:
        return BinaryOp::inplace_true_divide;
    case BinOpKind::mod:
        return BinaryOp::inplace_modulo;
    case BinOpKind::floordiv:
        return BinaryOp::inplace_floor_divide;
    case BinOpKind::pow:
        return BinaryOp::inplace_power;
    }
    return BinaryOp::inplace_add;
}

bool is_bare_tuple(const Expr& e) {
    return e.kind == ExprKind::tuple && !e.as<Sequence>().parenthesized;
}

// `a, b = c, d` (and three items) is compiled without building a tuple.
bool is_rotatable_assign(const Expr& target, const Expr& value) {
    if (!is_bare_tuple(target) || !is_bare_tuple(value))
        return false;
    const auto& lhs = target.as<Sequence>().elts;
    if (lhs.size() != value.as<Sequence>().elts.size() || (lhs.size() != 2 && lhs.size() != 3))
        return false;
    for (const ExprPtr& e : lhs)
        if (e->kind == ExprKind::starred)
            return false;
    return true;
}

} // namespace

SourcePos first_token_pos(const Stmt& s) {
    if (s.kind == StmtKind::function_def && !s.as<FunctionDef>().decorators.empty())
        return s.as<FunctionDef>().decorated_pos;
    if (s.kind == StmtKind::class_def && !s.as<ClassDef>().decorators.empty())
        return s.as<ClassDef>().decorated_pos;
    return s.pos;
}

// An indented block of two or more statements is a node of its own in the reference and marks the
// line of its first token; that only shows when the first statement marks no line (a const_def).
void CodeGen::compile_block(const StmtList& body) {
    if (body.size() >= 2)
        set_line(first_token_pos(*body.front()));
    compile_statements(body);
}

void CodeGen::compile_statements(const StmtList& body) {
    ViperBlock viper_block(*this);
    const bool several_rows = source_rows(body) >= 2;
    for (const StmtPtr& s : body) {
        const bool marks_line = body.size() >= 2 || s->in_semicolon_line;
        BlockLine block(m_block_line, marks_line ? first_token_pos(*s).line : m_block_line);
        compile_stmt(*s);
        note_viper_unit_end(*s);
        // A const() statement is removed from the reference's tree: it marks no line, unless it is on a line
        // with a `;` in a block of several lines, whose node stays (measured on both targets).
        const bool has_line = s->kind != StmtKind::const_def || (s->in_semicolon_line && several_rows);
        if (marks_line && deferred_after_child(has_line, first_token_pos(*s).line))
            return;
    }
}

// The lines of a block as the reference's tree has them: the statements of one line with a `;` are one.
std::size_t CodeGen::source_rows(const StmtList& body) {
    std::size_t rows = 0;
    std::uint32_t semicolon_line = 0;
    for (const StmtPtr& s : body) {
        const std::uint32_t line = first_token_pos(*s).line;
        if (!s->in_semicolon_line || line != semicolon_line)
            ++rows;
        semicolon_line = s->in_semicolon_line ? line : 0;
    }
    return rows;
}

void CodeGen::compile_stmt(const Stmt& s) {
    if (s.kind == StmtKind::const_def)
        return;
    set_line(first_token_pos(s));
    switch (s.kind) {
    case StmtKind::expr:
        compile_expr_stmt(s.as<ExprStmt>());
        break;
    case StmtKind::assign:
        compile_assign(s.as<Assign>());
        break;
    case StmtKind::aug_assign:
        compile_aug_assign(s.as<AugAssign>());
        break;
    case StmtKind::ann_assign:
        compile_ann_assign(s.as<AnnAssign>());
        break;
    case StmtKind::del:
        compile_delete(*s.as<ExprStmt>().value);
        break;
    case StmtKind::pass:
    case StmtKind::const_def:
        break;
    case StmtKind::break_:
    case StmtKind::continue_:
        compile_break_continue(s);
        break;
    case StmtKind::return_:
        compile_return(s.as<ExprStmt>());
        break;
    case StmtKind::raise:
        compile_raise(s.as<Raise>());
        break;
    case StmtKind::global:
    case StmtKind::nonlocal:
        declare_global_or_nonlocal(s.as<NameListStmt>());
        break;
    case StmtKind::assert_:
        compile_assert(s.as<Assert>());
        break;
    case StmtKind::import:
        compile_import(s.as<Import>());
        break;
    case StmtKind::import_from:
        compile_import_from(s.as<ImportFrom>());
        break;
    case StmtKind::if_:
        compile_if(s.as<If>());
        break;
    case StmtKind::while_:
        compile_while(s.as<While>());
        break;
    case StmtKind::for_:
        compile_for(s.as<For>());
        break;
    case StmtKind::try_:
        compile_try(s.as<Try>());
        break;
    case StmtKind::with:
        compile_with(s.as<With>(), 0);
        break;
    case StmtKind::function_def:
        compile_function_def(s.as<FunctionDef>());
        break;
    case StmtKind::class_def:
        compile_class_def(s.as<ClassDef>());
        break;
    }
}

void CodeGen::compile_expr_stmt(const ExprStmt& s) {
    if (s.value->kind == ExprKind::constant || is_reference_folded(*s.value))
        return;
    compile_expr(*s.value);
    em().pop_top();
}

void CodeGen::compile_assign(const Assign& s) {
    if (s.targets.size() == 1 && is_rotatable_assign(*s.targets[0], *s.value)) {
        const auto& rhs = s.value->as<Sequence>().elts;
        const auto& lhs = s.targets[0]->as<Sequence>().elts;
        for (const ExprPtr& e : rhs)
            compile_expr(*e);
        if (rhs.size() == 3)
            em().rot_three();
        em().rot_two();
        for (const ExprPtr& e : lhs)
            compile_store(*e, AssignKind::store);
        return;
    }
    compile_expr(*s.value);
    for (std::size_t i = 0; i < s.targets.size(); ++i) {
        if (i + 1 < s.targets.size())
            em().dup_top();
        compile_store(*s.targets[i], AssignKind::store);
    }
}

void CodeGen::compile_aug_assign(const AugAssign& s) {
    compile_store(*s.target, AssignKind::aug_load);
    compile_expr(*s.value);
    em().binary_op(inplace_op_of(s.op));
    compile_store(*s.target, AssignKind::aug_store);
}

void CodeGen::compile_ann_assign(const AnnAssign& s) {
    if (s.value) {
        compile_expr(*s.value);
        compile_store(*s.target, AssignKind::store);
        return;
    }
    if (m_scope->kind == ScopeKind::function && s.target->kind == ExprKind::name)
        m_scope->find_or_add(s.target->as<Name>().id, IdKind::local);
}

void CodeGen::compile_return(const ExprStmt& s) {
    if (m_scope->kind != ScopeKind::function) {
        if (!m_deferred)
            error("'return' outside function", s.pos);
        return; // ignored after a deferred error: the reference compiles on
    }
    if (!s.value) {
        em().load_const_none();
    } else if (s.value->kind == ExprKind::if_exp) {
        const auto& e = s.value->as<IfExp>();
        const Label fail = em().new_label();
        compile_condition(*e.test, false, fail);
        compile_expr(*e.body);
        em().return_value();
        em().place_label(fail);
        compile_expr(*e.orelse);
    } else {
        compile_expr(*s.value);
    }
    em().return_value();
}

void CodeGen::compile_raise(const Raise& s) {
    if (!s.exc) {
        em().raise(0);
        return;
    }
    compile_expr(*s.exc);
    if (s.cause) {
        compile_expr(*s.cause);
        em().raise(2);
    } else {
        em().raise(1);
    }
}

void CodeGen::compile_assert(const Assert& s) {
    if (m_options.opt_level != 0)
        return;
    const Label end = em().new_label();
    compile_condition(*s.test, true, end);
    em().load_global("AssertionError", QstrPhase::scope_pass);
    if (s.msg) {
        compile_expr(*s.msg);
        em().call_function(1, 0, false);
    }
    em().raise(1);
    em().place_label(end);
}

void CodeGen::compile_break_continue(const Stmt& s) {
    if (!m_loop.active) {
        if (!m_deferred)
            error("'break'/'continue' outside loop", s.pos);
        return; // ignored after a deferred error: the reference compiles on
    }
    const bool is_break = s.kind == StmtKind::break_;
    const Label target = is_break ? m_loop.break_label : m_loop.continue_label;
    em().unwind_jump(target, em().except_level() - m_loop.except_level, is_break && m_loop.break_from_for);
}

// IMPORT_NAME of a dotted module; with `as`, the submodule is reached with LOAD_ATTRs.
std::string CodeGen::import_module_name(const std::string& dotted, bool load_attrs_for_as) {
    em().import_name(dotted);
    const std::size_t dot = dotted.find('.');
    if (load_attrs_for_as && dot != std::string::npos) {
        std::size_t start = dot + 1;
        while (true) {
            const std::size_t next = dotted.find('.', start);
            em().load_attr(dotted.substr(start, next - start));
            if (next == std::string::npos)
                break;
            start = next + 1;
        }
    }
    return dotted.substr(0, dot);
}

void CodeGen::compile_import(const Import& s) {
    for (const ImportAlias& alias : s.names) {
        em().load_const_small_int(0);
        em().load_const_none();
        const bool has_as = !alias.asname.empty();
        const std::string base = import_module_name(alias.name, has_as);
        store_id(has_as ? alias.asname : base);
    }
}

void CodeGen::compile_import_from(const ImportFrom& s) {
    if (s.star) {
        if (m_scope->kind != ScopeKind::module) {
            if (!m_deferred)
                error("import * not at module level", s.pos);
            return; // ignored after a deferred error: the reference compiles on
        }
        em().load_const_small_int(s.level);
        em().load_const_string("*");
        em().build_tuple(1);
        import_module_name(s.module, false);
        em().import_star();
        return;
    }
    em().load_const_small_int(s.level);
    for (const ImportAlias& alias : s.names)
        em().load_const_string(alias.name);
    em().build_tuple(std::uint32_t(s.names.size()));
    import_module_name(s.module, false);
    for (const ImportAlias& alias : s.names) {
        em().import_from(alias.name);
        store_id(alias.asname.empty() ? alias.name : alias.asname);
    }
    em().pop_top();
}

} // namespace mpyship::compiler
