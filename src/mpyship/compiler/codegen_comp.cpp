// Comprehensions and generator expressions: the parent makes the function and calls it with the first
// iterable; the comprehension scope builds its collection (or yields) over nested for/if clauses.
#include "mpyship/compiler/codegen.h"

namespace mpyship::compiler {

namespace {

ScopeKind scope_kind_of(Comprehension::Kind k) {
    switch (k) {
    case Comprehension::Kind::list:
        return ScopeKind::list_comp;
    case Comprehension::Kind::set:
        return ScopeKind::set_comp;
    case Comprehension::Kind::dict:
        return ScopeKind::dict_comp;
    case Comprehension::Kind::generator:
        return ScopeKind::gen_expr;
    }
    return ScopeKind::list_comp;
}

const char* simple_name_of(ScopeKind k) {
    switch (k) {
    case ScopeKind::list_comp:
        return "<listcomp>";
    case ScopeKind::dict_comp:
        return "<dictcomp>";
    case ScopeKind::set_comp:
        return "<setcomp>";
    default:
        return "<genexpr>";
    }
}

} // namespace

void CodeGen::compile_comprehension(const Comprehension& c) {
    const ScopeKind kind = scope_kind_of(c.comp_kind);
    const ScopeId child = scope_pass() ? new_scope(kind, &c, simple_name_of(kind)) : m_node_scope.at(&c);
    make_function(child, 0, 0);
    compile_expr(*c.generators[0].iter);
    if (kind == ScopeKind::gen_expr)
        em().get_iter(false);
    em().call_function(1, 0, false);
}

void CodeGen::compile_comprehension_scope(const Comprehension& c) {
    if (scope_pass()) {
        m_scope->find_or_add("", IdKind::local);
        m_scope->n_pos_args = 1;
    }
    set_line(c.scope_pos);
    switch (m_scope->kind) {
    case ScopeKind::list_comp:
        em().build_list(0);
        break;
    case ScopeKind::dict_comp:
        em().build_map(0);
        break;
    case ScopeKind::set_comp:
        em().build_set(0);
        break;
    default:
        break;
    }
    if (m_scope->kind == ScopeKind::gen_expr) {
        em().load_null();
        load_id("");
        em().load_null();
        em().load_null();
    } else {
        load_id("");
        em().get_iter(true);
    }
    compile_comp_for(c, 0);
    if (m_scope->kind == ScopeKind::gen_expr)
        em().load_const_none();
    em().return_value();
}

void CodeGen::compile_comp_for(const Comprehension& c, std::size_t index) {
    const CompFor& gen = c.generators[index];
    const Label top = em().new_label();
    const Label end = em().new_label();
    em().place_label(top);
    em().for_iter(end);
    compile_store(*gen.target, AssignKind::store);
    for (const ExprPtr& cond : gen.ifs)
        compile_condition(*cond, false, top);
    if (index + 1 < c.generators.size()) {
        compile_expr(*c.generators[index + 1].iter);
        em().get_iter(true);
        compile_comp_for(c, index + 1);
    } else if (m_scope->kind == ScopeKind::gen_expr) {
        compile_expr(*c.element);
        em().yield_value();
        m_generator_seen[m_scope_id] = true;
        em().pop_top();
    } else if (m_scope->kind == ScopeKind::dict_comp) {
        set_line(c.scope_pos); // the key:value item starts at its first token, a parenthesis included
        compile_expr(*c.value);
        compile_expr(*c.element);
        em().store_comp(CompKind::dict, std::uint32_t(4 * index + 5));
    } else {
        compile_expr(*c.element);
        em().store_comp(m_scope->kind == ScopeKind::list_comp ? CompKind::list : CompKind::set,
                        std::uint32_t(4 * index + 5));
    }
    em().jump(top);
    em().place_label(end);
    em().for_iter_end();
}

} // namespace mpyship::compiler
