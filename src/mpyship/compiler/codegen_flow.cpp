// Compound statements: if/elif/else and while with constant tests removed, for loops (with the
// range(...) counter form), try/except/else/finally, with, async for and async with; exception levels
// and the break/continue targets they maintain.
#include "mpyship/compiler/codegen.h"
#include "mpyship/compiler/huge_fold.h"

#include "mpyship/compiler/small_int.h"

namespace mpyship::compiler {

namespace {

enum BlockKind { k_block_with, k_block_except, k_block_finally };

bool is_const_expr(const Expr& e) {
    return e.kind == ExprKind::constant || (e.kind == ExprKind::tuple && e.as<Sequence>().elts.empty());
}

bool is_const_false(const Expr& e) {
    return is_const_expr(e) && !(e.kind == ExprKind::constant && e.as<Constant>().value.truthiness());
}

bool is_const_true(const Expr& e) {
    if (is_reference_folded(e)) // an int the reference folds and we do not keep: never zero
        return true;
    return e.kind == ExprKind::constant && e.as<Constant>().value.truthiness();
}

std::optional<std::int64_t> small_int_value(const Expr& e, unsigned small_int_bits) {
    if (e.kind != ExprKind::constant || e.as<Constant>().boxed_int)
        return std::nullopt;
    const auto* i = std::get_if<BigInt>(&e.as<Constant>().value.value);
    if (i == nullptr)
        return std::nullopt;
    const auto v = i->to_int64();
    if (!v.has_value() || !fits_small_int(*v, small_int_bits))
        return std::nullopt;
    return v;
}

} // namespace

void CodeGen::increase_except_level(Label label, int kind) {
    if (kind == k_block_with)
        em().setup_with(label);
    else if (kind == k_block_except)
        em().setup_except(label);
    else
        em().setup_finally(label);
}

void CodeGen::decrease_except_level() {
    em().end_finally();
}

void CodeGen::compile_if(const If& s) {
    const Label end = em().new_label();
    const If* clause = &s;
    while (true) {
        const bool is_last = !(clause->orelse.size() == 1 && clause->orelse[0]->kind == StmtKind::if_ &&
                               clause->orelse[0]->as<If>().is_elif);
        if (!is_const_false(*clause->test)) {
            const Label fail = em().new_label();
            compile_condition(*clause->test, false, fail);
            compile_block(clause->body);
            if (is_const_true(*clause->test))
                break;
            if (clause != &s || !clause->orelse.empty())
                em().jump(end);
            em().place_label(fail);
        }
        if (is_last) {
            compile_block(clause->orelse);
            break;
        }
        clause = &clause->orelse[0]->as<If>();
    }
    em().place_label(end);
}

void CodeGen::compile_while(const While& s) {
    const LoopState saved = m_loop;
    m_loop = LoopState{true, em().new_label(), em().new_label(), em().except_level(), false};
    const LoopState loop = m_loop;
    if (!is_const_false(*s.test)) {
        const Label top = em().new_label();
        if (!is_const_true(*s.test))
            em().jump(loop.continue_label);
        em().place_label(top);
        compile_block(s.body);
        em().place_label(loop.continue_label);
        compile_condition(*s.test, true, top);
    }
    m_loop = saved;
    compile_block(s.orelse);
    em().place_label(loop.break_label);
}

void CodeGen::compile_for(const For& s) {
    if (s.is_async) {
        compile_async_for(s);
        return;
    }
    if (compile_for_range(s))
        return;
    const LoopState saved = m_loop;
    m_loop = LoopState{true, em().new_label(), em().new_label(), em().except_level(), true};
    const LoopState loop = m_loop;
    const Label pop = em().new_label();
    compile_expr(*s.iter);
    em().get_iter(true);
    em().place_label(loop.continue_label);
    em().for_iter(pop);
    compile_store(*s.target, AssignKind::store);
    compile_block(s.body);
    em().jump(loop.continue_label);
    em().place_label(pop);
    em().for_iter_end();
    m_loop = saved;
    compile_block(s.orelse);
    em().place_label(loop.break_label);
}

// for NAME in range(start, end, step) with a constant step: a counter on the stack, no iterator.
bool CodeGen::compile_for_range(const For& s) {
    if (s.target->kind != ExprKind::name || s.iter->kind != ExprKind::call)
        return false;
    const auto& call = s.iter->as<Call>();
    if (call.func->kind != ExprKind::name || call.func->as<Name>().id != "range" || call.args.empty() ||
        call.args.size() > 3)
        return false;
    for (const Argument& a : call.args)
        if (a.kind != Argument::Kind::positional || a.bare_node)
            return false;
    std::int64_t step = 1;
    if (call.args.size() == 3) {
        const auto v = small_int_value(*call.args[2].value, m_options.small_int_bits);
        if (!v.has_value() || *v == 0)
            return false;
        step = *v;
    }
    const Expr* start = call.args.size() >= 2 ? call.args[0].value.get() : nullptr;
    const Expr& end_expr = *call.args[call.args.size() >= 2 ? 1 : 0].value;
    const LoopState saved = m_loop;
    m_loop = LoopState{true, em().new_label(), em().new_label(), em().except_level(), false};
    const LoopState loop = m_loop;
    const Label top = em().new_label();
    const Label entry = em().new_label();
    const bool end_on_stack = !small_int_value(end_expr, m_options.small_int_bits).has_value();
    if (end_on_stack)
        compile_expr(end_expr);
    if (start != nullptr)
        compile_expr(*start);
    else
        em().load_const_small_int(0);
    em().jump(entry);
    em().place_label(top);
    em().dup_top();
    compile_store(*s.target, AssignKind::store);
    compile_block(s.body);
    em().place_label(loop.continue_label);
    if (call.args.size() == 3)
        compile_expr(*call.args[2].value);
    else
        em().load_const_small_int(1);
    em().binary_op(BinaryOp::inplace_add);
    em().place_label(entry);
    if (end_on_stack) {
        em().dup_top_two();
        em().rot_two();
    } else {
        em().dup_top();
        compile_expr(end_expr);
    }
    em().binary_op(step >= 0 ? BinaryOp::less : BinaryOp::more);
    em().pop_jump_if(true, top);
    m_loop = saved;
    Label else_end = 0;
    if (!s.orelse.empty()) {
        em().pop_top();
        if (end_on_stack)
            em().pop_top();
        compile_block(s.orelse);
        else_end = em().new_label();
        em().jump(else_end);
        em().adjust_stack(1 + (end_on_stack ? 1 : 0));
    }
    em().place_label(loop.break_label);
    em().pop_top();
    if (end_on_stack)
        em().pop_top();
    if (!s.orelse.empty())
        em().place_label(else_end);
    return true;
}

void CodeGen::compile_try(const Try& s) {
    if (s.has_finally)
        compile_try_finally(s);
    else
        compile_try_except(s);
}

void CodeGen::compile_try_except(const Try& s) {
    const Label handler = em().new_label();
    const Label success = em().new_label();
    increase_except_level(handler, k_block_except);
    compile_block(s.body);
    em().pop_except_jump(success);
    em().place_label(handler);
    em().start_except_handler();
    const Label end = em().new_label();
    for (std::size_t i = 0; i < s.handlers.size(); ++i) {
        if (!s.handlers[i].type && i + 1 != s.handlers.size()) {
            raise_or_defer("default 'except' must be last", s.handlers[i].pos, false);
            return; // after a deferred error: the reference compiles no further part of the try
        }
        compile_handler(s.handlers[i], end);
    }
    decrease_except_level();
    em().end_except_handler();
    em().place_label(success);
    compile_block(s.orelse);
    em().place_label(end);
}

void CodeGen::compile_handler(const ExceptHandler& h, Label end_label) {
    const Label next = em().new_label();
    if (h.type) {
        em().dup_top();
        compile_expr(*h.type);
        em().binary_op(BinaryOp::exception_match);
        em().pop_jump_if(false, next);
    }
    const bool named = !h.name.empty();
    if (named)
        store_id(h.name);
    else
        em().pop_top();
    Label cleanup = 0;
    if (named) {
        cleanup = em().new_label();
        increase_except_level(cleanup, k_block_finally);
    }
    compile_block(h.body);
    if (named) {
        em().load_const_none();
        em().place_label(cleanup);
        em().adjust_stack(1);
        em().load_const_none();
        store_id(h.name);
        delete_id(h.name);
        em().adjust_stack(-1);
        decrease_except_level();
    }
    em().pop_except_jump(end_label);
    em().place_label(next);
    em().adjust_stack(1);
}

void CodeGen::compile_try_finally(const Try& s) {
    const Label finally_block = em().new_label();
    increase_except_level(finally_block, k_block_finally);
    if (s.handlers.empty()) {
        em().adjust_stack(3);
        compile_block(s.body);
        em().adjust_stack(-3);
    } else {
        compile_try_except(s);
    }
    em().load_const_none();
    em().place_label(finally_block);
    em().adjust_stack(1);
    compile_block(s.finalbody);
    em().adjust_stack(-1);
    decrease_except_level();
}

void CodeGen::compile_with(const With& s, std::size_t item) {
    if (s.is_async) {
        compile_async_with(s, item);
        return;
    }
    if (item == s.items.size()) {
        compile_block(s.body);
        return;
    }
    const Label end = em().new_label();
    const WithItem& w = s.items[item];
    compile_expr(*w.context);
    increase_except_level(end, k_block_with);
    if (w.target)
        compile_store(*w.target, AssignKind::store);
    else
        em().pop_top();
    compile_with(s, item + 1);
    em().with_cleanup(end);
    decrease_except_level();
}

void CodeGen::await_method(const std::string& method) {
    em().load_method(method);
    em().call_method(0, 0, false);
    emit_yield_from();
}

void CodeGen::compile_async_for(const For& s) {
    if (!m_async[m_scope_id] && !m_generator_seen[m_scope_id]) {
        raise_or_defer("async for/with outside async function", s.pos, false);
        return; // after a deferred error: the reference compiles nothing of the statement
    }
    const Label while_else = em().new_label();
    const Label try_exception = em().new_label();
    const Label try_else = em().new_label();
    const Label try_finally = em().new_label();
    compile_expr(*s.iter);
    em().load_method("__aiter__");
    em().call_method(0, 0, false);
    const LoopState saved = m_loop;
    m_loop = LoopState{true, em().new_label(), em().new_label(), em().except_level(), false};
    const LoopState loop = m_loop;
    em().place_label(loop.continue_label);
    increase_except_level(try_exception, k_block_except);
    em().dup_top();
    await_method("__anext__");
    compile_store(*s.target, AssignKind::store);
    em().pop_except_jump(try_else);
    em().place_label(try_exception);
    em().start_except_handler();
    em().dup_top();
    em().load_global("StopAsyncIteration", QstrPhase::scope_pass);
    em().binary_op(BinaryOp::exception_match);
    em().pop_jump_if(false, try_finally);
    em().pop_top();
    em().pop_except_jump(while_else);
    em().place_label(try_finally);
    em().adjust_stack(1);
    decrease_except_level();
    em().end_except_handler();
    em().place_label(try_else);
    compile_block(s.body);
    em().jump(loop.continue_label);
    m_loop = saved;
    em().place_label(while_else);
    compile_block(s.orelse);
    em().place_label(loop.break_label);
    em().pop_top();
}

void CodeGen::compile_async_with(const With& s, std::size_t item) {
    if (item == 0 && !m_async[m_scope_id] && !m_generator_seen[m_scope_id]) {
        raise_or_defer("async for/with outside async function", s.pos, false);
        return; // after a deferred error: the reference compiles nothing of the statement
    }
    if (item == s.items.size()) {
        compile_block(s.body);
        return;
    }
    const Label finally_block = em().new_label();
    const Label aexit_no_exc = em().new_label();
    const Label ret_unwind_jump = em().new_label();
    const Label end = em().new_label();
    const WithItem& w = s.items[item];
    compile_expr(*w.context);
    em().dup_top();
    await_method("__aenter__");
    if (w.target)
        compile_store(*w.target, AssignKind::store);
    else
        em().pop_top();
    increase_except_level(finally_block, k_block_finally);
    em().adjust_stack(3);
    compile_async_with(s, item + 1);
    em().adjust_stack(-3);
    em().async_with_setup_finally(aexit_no_exc, finally_block, ret_unwind_jump);
    em().dup_top();
    em().rot_three();
    em().rot_two();
    em().load_method("__aexit__");
    em().rot_three();
    em().rot_three();
    em().dup_top();
    em().load_attr("__class__");
    em().rot_two();
    em().load_const_none();
    em().call_method(3, 0, false);
    emit_yield_from();
    em().pop_jump_if(false, end);
    em().pop_top();
    em().load_const_none();
    em().jump(end);
    em().adjust_stack(2);
    em().place_label(ret_unwind_jump);
    em().rot_three();
    em().rot_three();
    em().place_label(aexit_no_exc);
    em().load_method("__aexit__");
    em().load_const_none();
    em().dup_top();
    em().dup_top();
    em().call_method(3, 0, false);
    emit_yield_from();
    em().pop_top();
    em().adjust_stack(-1);
    em().place_label(end);
    decrease_except_level();
}

} // namespace mpyship::compiler
