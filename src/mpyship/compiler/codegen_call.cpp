// Calls: method calls (a.f(...) -> LOAD_METHOD/CALL_METHOD), super() and super().f(...) inside functions,
// argument lists with *args/**kwargs (star bitmap), keyword arguments, and their ordering errors.
#include "mpyship/compiler/codegen.h"

namespace mpyship::compiler {

namespace {

constexpr std::uint32_t k_star_single = 1;
constexpr std::uint32_t k_star_double = 2;

bool is_bare_super_call(const Expr& e) {
    if (e.kind != ExprKind::call)
        return false;
    const auto& c = e.as<Call>();
    return c.args.empty() && c.func->kind == ExprKind::name && c.func->as<Name>().id == "super";
}

bool is_unchecked_positional(const Argument& a) {
    // A walrus or a bare generator argument is an `argument` node in the reference: no order checks.
    return a.bare_node;
}

} // namespace

void CodeGen::compile_call(const Call& c) {
    const bool in_function = m_scope->kind == ScopeKind::function;
    if (in_function && is_bare_super_call(c)) {
        load_super_args(c);
        em().call_function(2, 0, false);
        return;
    }
    if (c.func->kind == ExprKind::attribute && !c.func->in_parens) { // (a.m)() is no method call
        const auto& attr = c.func->as<Attribute>();
        if (in_function && is_bare_super_call(*attr.value)) {
            load_super_args(attr.value->as<Call>());
            em().load_method(attr.attr, true);
        } else {
            compile_expr(*attr.value);
            em().load_method(attr.attr);
        }
        compile_call_args(c.args, true, 0);
        return;
    }
    compile_expr(*c.func);
    set_line(c.trailer_pos);
    compile_call_args(c.args, false, 0);
}

// super() inside a function: `super` itself, the class from the __class__ cell and the first parameter.
void CodeGen::load_super_args(const Call& super_call) {
    load_id("super");
    load_id("__class__");
    for (const IdInfo& id : m_scope->ids)
        if (id.flags & k_id_param) {
            load_id(std::string(id.name));
            return;
        }
    // The reference takes this error's line from the call's trailer: `(super\n)()` is the `(` of line 2
    const SourcePos where = super_call.trailer_pos.line != 0 ? super_call.trailer_pos : super_call.pos;
    raise_or_defer("super() can't find self", where, false);
    em().load_const_none(); // ignored after a deferred error: the reference compiles on (None keeps our stack count)
}

void CodeGen::compile_call_args(const ArgumentList& args, bool is_method, std::uint32_t n_extra_pos) {
    std::uint32_t n_pos = n_extra_pos;
    std::uint32_t n_kw = 0;
    std::uint32_t star_flags = 0;
    std::uint64_t star_bits = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Argument& a = args[i];
        switch (a.kind) {
        case Argument::Kind::star:
            if (star_flags & k_star_double) {
                raise_or_defer("* arg after **", a.pos, false); // ignored after a deferred error
                return; // mpy-cross compiles no further argument after an argument error
            }
            if (i + 1 >= m_options.small_int_bits) {
                raise_or_defer("too many args", a.pos, false); // ignored after a deferred error
                return; // mpy-cross compiles no further argument after an argument error
            }
            star_flags |= k_star_single;
            star_bits |= std::uint64_t(1) << i;
            compile_expr(*a.value);
            ++n_pos;
            break;
        case Argument::Kind::double_star:
            star_flags |= k_star_double;
            em().load_null();
            compile_expr(*a.value);
            ++n_kw;
            break;
        case Argument::Kind::keyword:
            if (!a.keyword || a.keyword->kind != ExprKind::name) {
                raise_or_defer("LHS of keyword arg must be an id", a.pos, false); // ignored after a deferred one
                return; // mpy-cross compiles no further argument after an argument error
            }
            em().load_const_string(a.keyword->as<Name>().id);
            compile_expr(*a.value);
            ++n_kw;
            break;
        case Argument::Kind::positional:
            if (!is_unchecked_positional(a) && (star_flags & k_star_double || n_kw > 0)) {
                // A leaf's error is deferred, and the arguments after it are not compiled: one of them
                // that marks a line (the base of a **) would otherwise give the error that line.
                error_at(star_flags & k_star_double ? "positional arg after **" : "positional arg after keyword arg",
                         *a.value);
                return;
            }
            if (a.bare_node && a.value->kind == ExprKind::named_expr) // no line of its own (measured)
                compile_named_expr(a.value->as<NamedExpr>());
            else
                compile_expr(*a.value);
            ++n_pos;
            break;
        }
    }
    if (star_flags != 0)
        em().load_const_int(std::int64_t(star_bits));
    if (is_method)
        em().call_method(n_pos, n_kw, star_flags != 0);
    else
        em().call_function(n_pos, n_kw, star_flags != 0);
}

} // namespace mpyship::compiler
