// Expressions: constants, names, attributes, subscripts and slices, operators, comparisons, conditional
// expressions, walrus, displays, yield/await, and conditional jumps (`compile_condition`) that fold
// constant tests and and/or/not chains into jumps.
#include "mpyship/compiler/codegen.h"
#include "mpyship/compiler/huge_fold.h"

#include "mpyship/compiler/constant_value.h"

namespace mpyship::compiler {

namespace {

bool is_small_int(const ConstValue& v, unsigned small_int_bits) {
    const auto* i = std::get_if<BigInt>(&v.value);
    if (i == nullptr)
        return false;
    const auto small = i->to_int64();
    return small.has_value() && fits_small_int(*small, small_int_bits);
}

// Constants the reference keeps as parse-tree leaves (no line-number entry of their own); the
// others are constant objects, loaded with LOAD_CONST_OBJ.
bool is_leaf_constant(const Constant& c, unsigned small_int_bits) {
    const ConstValue& v = c.value;
    if (c.boxed_int)
        return false;
    if (is_small_int(v, small_int_bits))
        return true;
    if (c.from_const_name)
        return false;
    if (const auto* s = std::get_if<StrValue>(&v.value))
        return s->interned;
    return std::holds_alternative<NoneValue>(v.value) || std::holds_alternative<bool>(v.value) ||
           std::holds_alternative<EllipsisValue>(v.value);
}

} // namespace

// A node without a line of its own in the reference: a name or a leaf constant (parentheses around it leave no
// node), or a constant the parser folded (2/4, -2.5, 1 << 70: a constant object made with line 0).
bool CodeGen::is_leaf(const Expr& e) const {
    if (e.kind == ExprKind::name)
        return true;
    return e.kind == ExprKind::constant &&
           (e.pos.line == 0 || is_leaf_constant(e.as<Constant>(), m_options.small_int_bits));
}

namespace {

BinaryOp binary_op_of(BinOpKind k) {
    switch (k) {
    case BinOpKind::bit_or:
        return BinaryOp::or_;
    case BinOpKind::bit_xor:
        return BinaryOp::xor_;
    case BinOpKind::bit_and:
        return BinaryOp::and_;
    case BinOpKind::lshift:
        return BinaryOp::lshift;
    case BinOpKind::rshift:
        return BinaryOp::rshift;
    case BinOpKind::add:
        return BinaryOp::add;
    case BinOpKind::sub:
        return BinaryOp::subtract;
    case BinOpKind::mul:
        return BinaryOp::multiply;
    case BinOpKind::matmul:
        return BinaryOp::mat_multiply;
    case BinOpKind::div:
        return BinaryOp::true_divide;
    case BinOpKind::mod:
        return BinaryOp::modulo;
    case BinOpKind::floordiv:
        return BinaryOp::floor_divide;
    case BinOpKind::pow:
        return BinaryOp::power;
    }
    return BinaryOp::add;
}

BinaryOp compare_op_of(CompareKind k) {
    switch (k) {
    case CompareKind::less:
        return BinaryOp::less;
    case CompareKind::more:
        return BinaryOp::more;
    case CompareKind::equal:
        return BinaryOp::equal;
    case CompareKind::less_equal:
        return BinaryOp::less_equal;
    case CompareKind::more_equal:
        return BinaryOp::more_equal;
    case CompareKind::not_equal:
        return BinaryOp::not_equal;
    case CompareKind::in:
        return BinaryOp::in;
    case CompareKind::not_in:
        return BinaryOp::not_in;
    case CompareKind::is:
        return BinaryOp::is;
    case CompareKind::is_not:
        return BinaryOp::is_not;
    }
    return BinaryOp::equal;
}

} // namespace

void CodeGen::compile_expr(const Expr& e) {
    switch (e.kind) {
    case ExprKind::constant: {
        const auto& c = e.as<Constant>();
        if (is_leaf_constant(c, m_options.small_int_bits)) {
            compile_constant(c.value);
        } else {
            set_line(e.pos);
            load_const_value(c.value);
        }
        return;
    }
    case ExprKind::name:
        compile_name(e.as<Name>());
        return;
    case ExprKind::comprehension:
        if (e.as<Comprehension>().bare_argument) {
            compile_comprehension(e.as<Comprehension>());
            return;
        }
        break;
    default:
        break;
    }
    set_line(e.pos);
    switch (e.kind) {
    case ExprKind::attribute:
        compile_attribute(e.as<Attribute>());
        break;
    case ExprKind::subscript:
        compile_subscript(e.as<Subscript>());
        break;
    case ExprKind::slice:
        compile_slice(e.as<Slice>());
        break;
    case ExprKind::call:
        compile_call(e.as<Call>());
        break;
    case ExprKind::bin_op:
        compile_bin_op(e.as<BinOp>());
        break;
    case ExprKind::unary_op:
        compile_unary_op(e.as<UnaryOp>());
        break;
    case ExprKind::bool_op:
        compile_bool_op(e.as<BoolOp>());
        break;
    case ExprKind::compare:
        compile_compare(e.as<Compare>());
        break;
    case ExprKind::if_exp:
        compile_if_exp(e.as<IfExp>());
        break;
    case ExprKind::lambda:
        compile_lambda(e.as<Lambda>());
        break;
    case ExprKind::named_expr:
        compile_named_expr(e.as<NamedExpr>());
        break;
    case ExprKind::tuple:
    case ExprKind::list:
    case ExprKind::set:
        compile_sequence(e.as<Sequence>());
        break;
    case ExprKind::dict:
        compile_dict(e.as<Dict>());
        break;
    case ExprKind::comprehension:
        compile_comprehension(e.as<Comprehension>());
        break;
    case ExprKind::yield:
        compile_yield(e.as<UnaryExpr>());
        break;
    case ExprKind::yield_from:
        compile_yield_from_expr(e.as<UnaryExpr>());
        break;
    case ExprKind::await:
        compile_await(e.as<UnaryExpr>());
        break;
    case ExprKind::starred:
        if (!m_deferred) // a later error is ignored, as in the reference
            error("*x must be assignment target", e.pos);
        break;
    default:
        break;
    }
}

void CodeGen::compile_constant(const ConstValue& v) {
    if (std::holds_alternative<NoneValue>(v.value))
        em().load_const_none();
    else if (const bool* b = std::get_if<bool>(&v.value))
        *b ? em().load_const_true() : em().load_const_false();
    else if (std::holds_alternative<EllipsisValue>(v.value))
        em().load_const_ellipsis();
    else if (const auto* s = std::get_if<StrValue>(&v.value); s != nullptr && s->interned)
        em().load_const_string(s->bytes);
    else if (is_small_int(v, m_options.small_int_bits))
        em().load_const_small_int(*std::get<BigInt>(v.value).to_int64());
    else
        load_const_value(v);
}

// The scope pass's emitter keeps no operands, so the (text-formatting) conversion is left to the code pass.
void CodeGen::load_const_value(const ConstValue& v) {
    em().load_const_obj(scope_pass() ? mpy::Constant{} : to_mpy_constant(v));
}

void CodeGen::compile_name(const Name& n) {
    load_id(n.id);
}

void CodeGen::compile_attribute(const Attribute& a) {
    compile_expr(*a.value);
    set_line(a.trailer_pos);
    em().load_attr(a.attr);
}

void CodeGen::compile_subscript(const Subscript& s) {
    compile_expr(*s.value);
    set_line(s.trailer_pos);
    compile_expr(*s.index);
    em().load_subscr();
}

void CodeGen::compile_slice(const Slice& s) {
    if (s.lower)
        compile_expr(*s.lower);
    else
        em().load_const_none();
    if (!s.upper && !s.has_step_colon) {
        em().load_const_none();
        em().build_slice(2);
        return;
    }
    if (s.upper)
        compile_expr(*s.upper);
    else
        em().load_const_none();
    if (s.step) {
        compile_expr(*s.step);
        em().build_slice(3);
    } else {
        em().build_slice(2);
    }
}

// The reference compiles the two sides of ** as it compiles a block's statements: a deferred leaf error
// takes the line of the side just compiled, and the rest is skipped (see defer_error).
void CodeGen::compile_bin_op(const BinOp& b) {
    const bool marks_sides = b.op == BinOpKind::pow;
    for (const Expr* side : {b.left.get(), b.right.get()}) {
        compile_expr(*side);
        if (marks_sides && deferred_after_child(!is_leaf(*side), side->pos.line))
            return;
    }
    em().binary_op(binary_op_of(b.op));
}

void CodeGen::compile_unary_op(const UnaryOp& u) {
    compile_expr(*u.operand);
    switch (u.op) {
    case UnaryOpKind::positive:
        em().unary_op(UnaryOpCode::positive);
        break;
    case UnaryOpKind::negative:
        em().unary_op(UnaryOpCode::negative);
        break;
    case UnaryOpKind::invert:
        em().unary_op(UnaryOpCode::invert);
        break;
    case UnaryOpKind::not_:
        em().unary_op(UnaryOpCode::not_);
        break;
    }
}

void CodeGen::compile_bool_op(const BoolOp& b) {
    const Label end = em().new_label();
    for (std::size_t i = 0; i < b.values.size(); ++i) {
        compile_expr(*b.values[i]);
        if (i + 1 < b.values.size())
            em().jump_if_or_pop(!b.is_and, end);
    }
    em().place_label(end);
}

void CodeGen::compile_compare(const Compare& c) {
    compile_expr(*c.left);
    const std::size_t n = c.ops.size();
    const bool multi = n > 1;
    const Label fail = multi ? em().new_label() : 0;
    for (std::size_t i = 0; i < n; ++i) {
        compile_expr(*c.comparators[i]);
        const bool more = i + 1 < n;
        if (more) {
            em().dup_top();
            em().rot_three();
        }
        em().binary_op(compare_op_of(c.ops[i]));
        if (more)
            em().jump_if_or_pop(false, fail);
    }
    if (!multi)
        return;
    const Label end = em().new_label();
    em().jump(end);
    em().place_label(fail);
    em().adjust_stack(1);
    em().rot_two();
    em().pop_top();
    em().place_label(end);
}

void CodeGen::compile_if_exp(const IfExp& e) {
    const Label fail = em().new_label();
    const Label end = em().new_label();
    compile_condition(*e.test, false, fail);
    compile_expr(*e.body);
    em().jump(end);
    em().place_label(fail);
    em().adjust_stack(-1);
    compile_expr(*e.orelse);
    em().place_label(end);
}

void CodeGen::compile_named_expr(const NamedExpr& e) {
    // A leaf target (a constant, `math.tau` folded to one) has no line of its own: the error is deferred
    // and takes an enclosing node's (measured: `try:()` / `except:(1:=N)` reports line 1); the value is
    // still compiled, as by the reference, and nothing is stored.
    const bool named = e.target->kind == ExprKind::name;
    if (!named)
        error_at("can't assign to expression", *e.target);
    compile_expr(*e.value);
    em().dup_top();
    if (!named)
        return;
    const std::string& target = e.target->as<Name>().id;
    if (scope_pass() && is_comp_like(m_scope->kind)) {
        ScopeInfo& parent = *m_scope->parent;
        if (declare_modification(parent, target).kind == IdKind::global_explicit) {
            m_scope->find_or_add(target, IdKind::global_explicit);
        } else {
            IdInfo& id = m_scope->find_or_add(target, IdKind::undecided);
            const bool is_global = parent.parent == nullptr;
            if (!is_global && id.kind == IdKind::global_implicit)
                id.kind = IdKind::undecided;
            if (is_global)
                declare_global(id, e.target->pos, true);
            else
                declare_nonlocal(id, e.target->pos, true);
        }
    }
    store_id(target);
}

// A list display of two or more items, or of one with a trailing comma, is compiled item by item as a
// block is (see m_block_line).
void CodeGen::compile_sequence(const Sequence& s) {
    const bool marks_items = s.kind == ExprKind::list && (s.elts.size() >= 2 || s.trailing_comma);
    for (std::size_t i = 0; i < s.elts.size(); ++i) {
        const ExprPtr& elt = s.elts[i];
        BlockLine item(m_block_line, marks_items && !is_leaf(*elt) ? elt->pos.line : m_block_line);
        compile_expr(*elt);
        if (s.kv_key && i == s.kv_index) { // a k: v item in a set: compiled (value, key), then refused
            compile_expr(*s.kv_key);
            if (!m_deferred)
                error("expecting just a value for set", s.items_pos);
            return; // ignored after a deferred error: the reference compiles no more of the display
        }
        if (marks_items && deferred_after_child(!is_leaf(*elt), elt->pos.line))
            return; // the rest is not compiled (the stack stays deeper: harmless)
    }
    const auto n = std::uint32_t(s.elts.size());
    if (s.kind == ExprKind::tuple)
        em().build_tuple(n);
    else if (s.kind == ExprKind::list)
        em().build_list(n);
    else
        em().build_set(n);
}

void CodeGen::compile_dict(const Dict& d) {
    em().build_map(std::uint32_t(d.keys.size()));
    for (std::size_t i = 0; i < d.keys.size(); ++i) {
        if (!d.values[i]) {
            compile_expr(*d.keys[i]);
            // at the items' node, which starts with the first item (measured: `{` alone on its line)
            if (!m_deferred)
                error("expecting key:value for dict", d.item_pos.empty() ? d.pos : d.item_pos[0]);
            return; // ignored after a deferred error: the reference compiles no more of the display
        }
        set_line(d.item_pos[i]);
        compile_expr(*d.values[i]);
        compile_expr(*d.keys[i]);
        em().store_map();
    }
}

// With a leaf error deferred the reference ignores "'yield' outside function", writes nothing for the
// yield and compiles on, so a later statement gives the deferred error its line (measured: `with e(y=6,6):
// yield` in a try at module level, then `except:s;`, reports line 3). The None pushed keeps our stack count.
bool CodeGen::yield_outside_function(const UnaryExpr& e) {
    if (m_scope->kind == ScopeKind::function || m_scope->kind == ScopeKind::lambda)
        return false;
    if (!m_deferred)
        error("'yield' outside function", e.pos);
    em().load_const_none();
    return true;
}

void CodeGen::compile_yield(const UnaryExpr& e) {
    if (yield_outside_function(e))
        return;
    if (e.value)
        compile_expr(*e.value);
    else
        em().load_const_none();
    em().yield_value();
    m_generator_seen[m_scope_id] = true;
}

void CodeGen::compile_yield_from_expr(const UnaryExpr& e) {
    if (yield_outside_function(e))
        return;
    if (m_options.target == Target::circuitpython && m_async[m_scope_id]) {
        if (!m_deferred)
            error("'yield from' inside async function", e.pos);
        em().load_const_none(); // after a deferred error this one is ignored and the reference compiles on
        return;
    }
    compile_expr(*e.value);
    emit_yield_from();
}

void CodeGen::emit_yield_from() {
    em().get_iter(false);
    em().load_const_none();
    em().yield_from();
    m_generator_seen[m_scope_id] = true;
}

void CodeGen::compile_await(const UnaryExpr& e) {
    if (m_scope->kind != ScopeKind::function && m_scope->kind != ScopeKind::lambda) {
        if (!m_deferred)
            error("'await' outside function", e.pos);
        em().load_const_none(); // ignored after a deferred error: the reference compiles on
        return;
    }
    compile_expr(*e.value);
    if (m_options.target == Target::circuitpython) {
        em().load_method("__await__");
        em().call_method(0, 0, false);
        em().load_const_none();
        em().yield_from();
        m_generator_seen[m_scope_id] = true;
        return;
    }
    emit_yield_from();
}

void CodeGen::compile_condition(const Expr& e, bool jump_if, Label label) {
    if (is_reference_folded(e)) { // an int the reference folds and we do not keep: never zero
        if (jump_if)
            em().jump(label);
        return;
    }
    if (e.kind == ExprKind::constant || (e.kind == ExprKind::tuple && e.as<Sequence>().elts.empty())) {
        const bool truth = e.kind == ExprKind::constant && e.as<Constant>().value.truthiness();
        if (truth == jump_if)
            em().jump(label);
        return;
    }
    if (e.kind == ExprKind::bool_op) {
        const auto& b = e.as<BoolOp>();
        // `or` jumping when false, and `and` jumping when true, need a label past the chain.
        if (b.is_and == jump_if) {
            const Label skip = em().new_label();
            for (std::size_t i = 0; i + 1 < b.values.size(); ++i)
                compile_condition(*b.values[i], !jump_if, skip);
            compile_condition(*b.values.back(), jump_if, label);
            em().place_label(skip);
        } else {
            for (const ExprPtr& v : b.values)
                compile_condition(*v, jump_if, label);
        }
        return;
    }
    if (e.kind == ExprKind::unary_op && e.as<UnaryOp>().op == UnaryOpKind::not_) {
        compile_condition(*e.as<UnaryOp>().operand, !jump_if, label);
        return;
    }
    compile_expr(e);
    em().pop_jump_if(jump_if, label);
}

} // namespace mpyship::compiler
