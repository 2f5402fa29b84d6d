// Assignment and deletion targets: names, attributes and subscripts (their base chain compiled trailer by
// trailer, without the method-call form), tuple/list unpacking with one starred target (UNPACK_EX), the
// two halves of an augmented assignment, and the "can't assign/delete" errors.
#include "mpyship/compiler/codegen.h"

namespace mpyship::compiler {

void CodeGen::compile_chain(const Expr& e) {
    if (e.in_parens) {
        compile_expr(e);
        return;
    }
    switch (e.kind) {
    case ExprKind::attribute:
        compile_chain(*e.as<Attribute>().value);
        set_line(e.as<Attribute>().trailer_pos);
        em().load_attr(e.as<Attribute>().attr);
        return;
    case ExprKind::subscript:
        compile_chain(*e.as<Subscript>().value);
        set_line(e.as<Subscript>().trailer_pos);
        compile_expr(*e.as<Subscript>().index);
        em().load_subscr();
        return;
    case ExprKind::call:
        compile_chain(*e.as<Call>().func);
        set_line(e.as<Call>().trailer_pos);
        compile_call_args(e.as<Call>().args, false, 0);
        return;
    default:
        compile_expr(e);
        return;
    }
}

void CodeGen::compile_store(const Expr& target, AssignKind kind) {
    switch (target.kind) {
    case ExprKind::name:
        if (kind == AssignKind::aug_load)
            load_id(target.as<Name>().id);
        else
            store_id(target.as<Name>().id);
        return;
    case ExprKind::attribute:
    case ExprKind::subscript:
        compile_store_attr_or_subscr(target, kind);
        return;
    case ExprKind::tuple:
    case ExprKind::list: {
        const auto& seq = target.as<Sequence>();
        const bool empty_tuple = target.kind == ExprKind::tuple && seq.elts.empty();
        if (kind != AssignKind::store || empty_tuple)
            break;
        compile_store_tuple(seq.elts);
        return;
    }
    default:
        break;
    }
    error_at("can't assign to expression", target);
}

void CodeGen::compile_store_tuple(const ExprList& elts) {
    const auto n = std::uint32_t(elts.size());
    std::optional<std::uint32_t> star;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (elts[i]->kind != ExprKind::starred)
            continue;
        if (star.has_value()) {
            if (!m_deferred)
                error("multiple *x in assignment", elts[i]->pos);
            em().pop_top(); // ignored after a deferred error: the reference stores nothing more and compiles on
            return;
        }
        em().unpack_ex(i, n - i - 1);
        star = i;
    }
    if (!star.has_value())
        em().unpack_sequence(n);
    for (const ExprPtr& e : elts) {
        if (e->kind == ExprKind::starred)
            compile_store(*e->as<UnaryExpr>().value, AssignKind::store);
        else
            compile_store(*e, AssignKind::store);
    }
}

void CodeGen::compile_store_attr_or_subscr(const Expr& target, AssignKind kind) {
    if (target.kind == ExprKind::attribute) {
        const auto& a = target.as<Attribute>();
        if (kind != AssignKind::aug_store)
            compile_chain(*a.value);
        if (kind == AssignKind::aug_load) {
            em().dup_top();
            em().load_attr(a.attr);
            return;
        }
        if (kind == AssignKind::aug_store)
            em().rot_two();
        em().store_attr(a.attr);
        return;
    }
    const auto& s = target.as<Subscript>();
    if (kind == AssignKind::aug_store) {
        em().rot_three();
        em().store_subscr();
        return;
    }
    compile_chain(*s.value);
    compile_expr(*s.index);
    if (kind == AssignKind::aug_load) {
        em().dup_top_two();
        em().load_subscr();
    } else {
        em().store_subscr();
    }
}

void CodeGen::compile_delete(const Expr& target) {
    switch (target.kind) {
    case ExprKind::name:
        delete_id(target.as<Name>().id);
        return;
    case ExprKind::attribute:
        compile_chain(*target.as<Attribute>().value);
        em().delete_attr(target.as<Attribute>().attr);
        return;
    case ExprKind::subscript:
        compile_chain(*target.as<Subscript>().value);
        compile_expr(*target.as<Subscript>().index);
        em().delete_subscr();
        return;
    case ExprKind::tuple: {
        const auto& seq = target.as<Sequence>();
        if (seq.elts.empty())
            break;
        for (const ExprPtr& e : seq.elts)
            compile_delete(*e);
        return;
    }
    default:
        break;
    }
    error_at("can't delete expression", target);
}

} // namespace mpyship::compiler
