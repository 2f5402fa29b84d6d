#include "mpyship/compiler/native_emitter.h"

#include "mpyship/compiler/asm_rv32.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_rv32.h"
#include "mpyship/compiler/native_stack.h"
#include "mpyship/compiler/native_thumb.h"
#include "mpyship/compiler/native_x64.h"
#include "mpyship/compiler/native_x86.h"
#include "mpyship/compiler/native_xtensa.h"
#include "mpyship/mpy/opcodes.h"
#include "mpyship/mpy/writer.h"

#include <algorithm>

namespace mpyship::compiler {

namespace op = mpy::op;

namespace {

constexpr std::uint64_t k_subscr_load = 4; // MP_OBJ_SENTINEL: obj_subscr loads instead of storing

std::uint64_t small_int_object(std::int64_t v) {
    return (std::uint64_t(v) << 1) | 1;
}

// Names the function declares or uses as globals make it switch to its module's globals (loads the
// compiler adds itself, AssertionError for assert, do not: see NativeScope::refs_globals); so does
// making a nested function.
bool uses_globals(const std::vector<CodeItem>& items) {
    return std::any_of(items.begin(), items.end(), [](const CodeItem& it) {
        if (it.kind != ItemKind::op)
            return false;
        if (it.opcode == op::MAKE_FUNCTION || it.opcode == op::MAKE_FUNCTION_DEFARGS || it.opcode == op::MAKE_CLOSURE ||
            it.opcode == op::MAKE_CLOSURE_DEFARGS)
            return true;
        return it.qstr_phase == QstrPhase::identifier &&
               (it.opcode == op::LOAD_GLOBAL || it.opcode == op::STORE_GLOBAL || it.opcode == op::DELETE_GLOBAL);
    });
}

class Translator {
  public:
    Translator(const NativeScope& scope, NativeTarget& target, QstrTable& qstrs, ConstantTable& constants,
               std::uint32_t fun_table_const, std::uint32_t n_stack)
        : m_scope(scope), m_em(scope.emitter), m_t(target), m_abi(target.abi()), m_stack(target),
          m_qstrs(qstrs), m_constants(constants), m_exit(std::uint32_t(scope.emitter.label_count())),
          m_line(scope.def_pos.line), m_next_label(m_exit + 1) {
        m_frame.fun_table_const = fun_table_const;
        m_frame.n_state = std::max<std::uint32_t>(1, scope.emitter.signature().n_locals + n_stack);
    }

    mpy::Bytes run();
    std::uint32_t max_stack() const { return std::uint32_t(m_stack.max_size()); }
    std::uint32_t n_state() const { return m_frame.n_state; }

  private:
    void item(const CodeItem& it);
    void op_item(const CodeItem& it);
    bool constant_op(const CodeItem& it);
    bool local_op(const CodeItem& it);
    bool stack_op(const CodeItem& it);
    bool flow_op(const CodeItem& it);
    bool object_op(const CodeItem& it);
    bool call_op(const CodeItem& it);
    bool container_op(const CodeItem& it);
    void close_over(std::uint32_t n_closed);
    bool iter_op(const CodeItem& it);
    bool handler_op(const CodeItem& it);
    void setup_with(Label handler);
    void return_through_blocks();
    void unwind_jump(const CodeItem& it);
    void with_cleanup();
    void stack_item(const CodeItem& it);
    void handler_label(std::size_t entry);
    void write_innermost_handler(bool clear_when_none);
    bool reg_local(std::uint32_t local) const {
        return local < 2 && !m_frame.has_handlers && !m_frame.generator;
    }
    static constexpr std::size_t k_async_with_finally_items = 8;
    bool is_async_with_finally(const std::vector<CodeItem>& items, std::size_t i) const;
    void async_with_finally(const std::vector<CodeItem>& items, std::size_t i);
    bool generator_op(const CodeItem& it);
    void generator_return();
    void yield_value();
    void yield_from();
    void leave_to_yield(Label resume);
    void raise_throw_value();
    [[noreturn]] void unsupported(const CodeItem& it) const;

    std::uint32_t qstr(const CodeItem& it);
    std::uint32_t state_of_local(std::uint32_t local) const { return m_frame.n_state - 1 - local; }
    void load_local(std::uint32_t local);
    void store_local(std::uint32_t local);
    void load_deref(std::uint32_t local);
    void store_deref(std::uint32_t local);
    void load_const_obj(std::uint32_t index);
    void call_with_imm(RtFun fun, std::uint64_t imm, NativeReg reg);
    void call_with_qstr(RtFun fun, std::uint32_t q, NativeReg reg);
    void label(Label l);
    static bool ends_flow(std::uint8_t opcode);

    const NativeScope& m_scope;
    Emitter& m_em;
    NativeTarget& m_t;
    const NativeAbi& m_abi;
    NativeStack m_stack;
    QstrTable& m_qstrs;
    ConstantTable& m_constants;
    NativeFrame m_frame;
    std::uint32_t m_exit;
    std::uint32_t m_line;
    bool m_deleting = false; // inside LOAD_NULL, ROT_*, STORE_* of a del statement
    // The try/with blocks around the current code, innermost last: a block is active until its body
    // ends, then its handler runs until END_FINALLY.
    struct Block {
        Label label;
        bool is_finally;
        bool active;
        bool is_with = false;   // its label is placed by WITH_CLEANUP
        bool unwound = false;   // a return jumps into it: END_FINALLY continues to the unwind address
    };
    std::vector<Block> m_blocks;
    bool m_prev_dead = false; // the last op was unreachable
    // After END_FINALLY of a block a return/break/continue went through, the code is reachable for the
    // reference (the label after its jump to the unwind address) even where the bytecode's is not, until
    // the flow ends again.
    bool m_revived = false;
    std::uint32_t m_next_label = 0; // labels of the native code's own (after the exit label)
};

mpy::Bytes Translator::run() {
    const ScopeSignature& sig = m_em.signature();
    m_frame.n_locals = sig.n_locals;
    // the module's names are not globals declared or used as such; making a function still switches
    m_frame.guards_globals = (m_scope.refs_globals && !m_scope.is_module) || uses_globals(m_em.items());
    m_frame.n_children = std::uint32_t(m_em.children().size());
    m_frame.has_handlers = m_em.max_except_level() > 0;
    m_frame.generator = is_generator_scope(m_em);
    if (m_frame.has_handlers && !m_t.supports_handlers())
        throw CompileError{"NotImplementedError",
                           "mpyship: native code for try/with on this architecture is not implemented yet",
                           m_scope.def_pos, m_scope.name, true, true};
    if (m_frame.generator && !m_t.supports_generators())
        throw CompileError{"NotImplementedError",
                           "mpyship: native code for generators on this architecture is not implemented yet",
                           m_scope.def_pos, m_scope.name, true, true};
    m_t.prologue(m_frame);
    if (m_frame.generator)
        raise_throw_value();
    const std::vector<CodeItem>& items = m_em.items();
    for (std::size_t i = 0; i < items.size(); ++i) {
        try {
            if (is_async_with_finally(items, i)) {
                async_with_finally(items, i);
                i += k_async_with_finally_items - 1;
            } else {
                item(items[i]);
            }
        } catch (const NativeStack::Underflow&) { // a stack effect the model does not follow yet
            unsupported(items[i]);
        }
    }
    return m_t.epilogue_and_finish(m_exit);
}

void Translator::item(const CodeItem& it) {
    switch (it.kind) {
    case ItemKind::line:
        m_line = std::uint32_t(it.value);
        break;
    case ItemKind::label:
        label(Label(it.value));
        break;
    case ItemKind::stack:
        stack_item(it);
        break;
    case ItemKind::op: {
        const bool dead = it.dead && !m_revived;
        // WITH_CLEANUP's first part belongs to the flow before its label (the None pushed there)
        m_t.set_suppressed(it.opcode == op::WITH_CLEANUP ? m_prev_dead : dead);
        op_item(it);
        m_prev_dead = dead && !m_revived;
        if (ends_flow(it.opcode))
            m_revived = false;
        break;
    }
    }
}

bool Translator::ends_flow(std::uint8_t opcode) {
    return opcode == op::JUMP || opcode == op::UNWIND_JUMP || opcode == op::POP_EXCEPT_JUMP ||
           opcode == op::RETURN_VALUE || opcode == op::RAISE_LAST || opcode == op::RAISE_OBJ ||
           opcode == op::RAISE_FROM;
}

// Every path into a label has its values in their slots.
void Translator::label(Label l) {
    m_revived = false;
    for (std::size_t i = 0; i < m_blocks.size(); ++i)
        if (m_blocks[i].label == l)
            return m_blocks[i].is_with ? void() : handler_label(i);
    m_stack.settle();
    m_t.set_suppressed(false);
    m_t.bind(l);
    m_stack.all_in_slots();
}

// A handler's label: a finally block keeps the value on top (None, or what it re-raises) in the
// exception slot; exceptions then go to the next active block out.
void Translator::handler_label(std::size_t entry) {
    Block& b = m_blocks[entry];
    if (b.is_finally) {
        m_stack.peek_into(m_abi.temp0);
        m_t.store_exc_value(m_abi.temp0);
    }
    m_stack.settle();
    m_t.set_suppressed(false);
    m_t.bind(b.label);
    m_stack.all_in_slots();
    b.active = false;
    write_innermost_handler(b.is_finally); // a finally block is also entered without the dispatcher
}

// The handler slot gets the innermost active block's label; with none it is cleared, or left as the
// dispatcher cleared it before jumping to a handler.
void Translator::write_innermost_handler(bool clear_when_none) {
    for (auto b = m_blocks.rbegin(); b != m_blocks.rend(); ++b) {
        if (b->active) {
            m_t.set_handler(b->label);
            return;
        }
    }
    if (clear_when_none)
        m_t.clear_handler();
}

// An except handler starts with the exception on the stack (bytecode also reserves 3 slots for an
// UNWIND_JUMP, which native code does not use).
void Translator::stack_item(const CodeItem& it) {
    if (it.payload != k_payload_except_handler) {
        m_stack.adjust(int(it.value));
        return;
    }
    if (it.value > 0) {
        m_stack.free_reg(m_abi.temp0);
        m_t.load_exc_value(m_abi.temp0);
        m_stack.push_reg(m_abi.temp0);
    }
}

bool Translator::handler_op(const CodeItem& it) {
    switch (it.opcode) {
    case op::SETUP_EXCEPT:
    case op::SETUP_FINALLY:
        m_stack.settle();
        m_blocks.push_back({Label(it.value), it.opcode == op::SETUP_FINALLY, true});
        m_t.set_handler(Label(it.value));
        return true;
    case op::POP_EXCEPT_JUMP: // ends a try body (its block stops catching) or an except clause
        m_stack.settle();
        if (!m_blocks.empty() && m_blocks.back().active) {
            m_blocks.back().active = false;
            write_innermost_handler(true);
        } else {
            m_t.clear_exc_value();
        }
        m_t.jump(Label(it.value));
        return true;
    case op::END_FINALLY: { // re-raises what the handler did not handle (nothing when None/NULL)
        if (m_blocks.empty())
            return false;
        const bool unwound = m_blocks.back().unwound;
        m_blocks.pop_back();
        m_stack.settle();
        m_t.raise_exc_value();
        if (unwound) { // the label after the jump to the unwind address makes what follows reachable
            // an unwinding that goes on through the next finally block out goes there first (not into
            // one whose handler runs this code)
            const auto outer = std::find_if(m_blocks.rbegin(), m_blocks.rend(),
                                            [](const Block& b) { return b.is_finally && b.active; });
            m_t.jump_to_unwind(m_next_label++, outer != m_blocks.rend() && outer->unwound
                                                   ? std::optional<std::uint32_t>(outer->label)
                                                   : std::nullopt);
            m_t.set_suppressed(false);
            m_revived = true;
        }
        m_stack.drop(1);
        return true;
    }
    case op::SETUP_WITH:
        setup_with(Label(it.value));
        return true;
    case op::UNWIND_JUMP:
        unwind_jump(it);
        return true;
    case op::WITH_CLEANUP:
        with_cleanup();
        return true;
    default:
        return false;
    }
}

// A return inside finally or with blocks runs them first, innermost first: the unwind slot gets the
// exit's address, the exception slot NULL, and each END_FINALLY goes on to the next of them, the last to
// the exit. Out of try/except blocks only, no handler catches after the return.
void Translator::return_through_blocks() {
    Block* innermost = nullptr;
    for (Block& b : m_blocks) {
        if (b.active && b.is_finally) {
            b.unwound = true;
            innermost = &b;
        }
    }
    if (innermost == nullptr) {
        if (!m_blocks.empty())
            m_t.clear_handler();
        m_t.jump(m_exit);
        return;
    }
    m_t.set_unwind(m_exit);
    m_t.mov_reg_imm(m_abi.ret, 0);
    m_t.store_exc_value(m_abi.ret);
    m_stack.settle(); // only now, as the reference (a value left in temp0 is stored after the above)
    m_t.jump(innermost->label);
}

// break/continue out of `depth` blocks: through a finally or with block as a return does (END_FINALLY
// then goes on to the loop's label); out of try/except blocks only, the handler slot gets the next
// active block further out (or is cleared).
void Translator::unwind_jump(const CodeItem& it) {
    const auto depth = std::size_t(it.trailing_byte & 0x7f);
    if (depth > m_blocks.size())
        unsupported(it);
    const std::size_t outer = m_blocks.size() - depth;
    Block* finally_block = nullptr; // the innermost of those it leaves
    for (std::size_t i = outer; i < m_blocks.size(); ++i) {
        if (m_blocks[i].active && m_blocks[i].is_finally) {
            m_blocks[i].unwound = true;
            finally_block = &m_blocks[i];
        }
    }
    if (finally_block != nullptr) {
        m_t.set_unwind(Label(it.value));
        m_t.mov_reg_imm(m_abi.ret, 0);
        m_t.store_exc_value(m_abi.ret);
        m_stack.settle(); // as after a return
        m_t.jump(finally_block->label);
        return;
    }
    m_stack.settle();
    const auto active = std::find_if(m_blocks.rbegin() + std::ptrdiff_t(depth), m_blocks.rend(),
                                     [](const Block& b) { return b.active; });
    if (active != m_blocks.rend())
        m_t.set_handler(active->label);
    else
        m_t.clear_handler();
    m_t.jump(Label(it.value));
}

// The manager's __exit__ and the manager stay below the value __enter__ returned; the value is then
// on the stack twice (the reference pops it and pushes its register twice).
void Translator::setup_with(Label handler) {
    const NativeReg* a = m_abi.arg;
    m_stack.peek_into(a[0]);
    m_stack.spill_regs();
    m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
    call_with_qstr(RtFun::load_method, m_qstrs.use("__exit__"), a[1]);
    m_stack.push_slots(2);
    m_stack.pop_into({a[2], a[1], a[0]});
    m_stack.push_reg(a[1]);
    m_stack.push_reg(a[2]);
    m_stack.spill_regs();
    m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
    call_with_qstr(RtFun::load_method, m_qstrs.use("__enter__"), a[1]);
    m_stack.push_slots(2);
    m_stack.pointer_for_pop(a[2], 2);
    m_stack.spill_regs();
    m_t.mov_reg_imm(a[0], 0);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_stack.push_reg(m_abi.ret);
    m_stack.settle();
    m_blocks.push_back({handler, true, true, true});
    m_t.set_handler(handler);
    m_stack.pop_into({m_abi.temp0});
    m_stack.push_reg(m_abi.temp0);
    m_stack.push_reg(m_abi.temp0);
}

// Leaving the block normally calls __exit__(None, None, None); an exception calls
// __exit__(type, exception, None) and is swallowed when that returns true. END_FINALLY follows.
void Translator::with_cleanup() {
    const NativeReg* a = m_abi.arg;
    Block& b = m_blocks.back();
    const std::uint32_t normal = m_next_label++, swallow = m_next_label++, reraise = m_next_label++;
    b.active = false;
    write_innermost_handler(true);
    m_stack.drop(2); // the second copy of the value and the None before the label
    m_t.set_suppressed(false);
    m_t.bind(normal);
    const std::size_t base = m_stack.size(); // __exit__ and the manager below
    for (int i = 0; i < 3; ++i)
        m_stack.push_fun_entry(RtFun::const_none);
    m_stack.pointer_for_pop(a[2], 5);
    m_t.mov_reg_imm(a[0], 3);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_t.jump(swallow);
    m_t.set_suppressed(false);
    m_t.bind(b.label);
    write_innermost_handler(false);
    m_t.load_exc_value(a[0]);
    m_t.jump_if_zero(a[0], normal);
    m_t.load_type_of(a[1], a[0]);
    m_t.store_state(std::uint32_t(base), a[1]);
    m_t.store_state(std::uint32_t(base + 1), a[0]);
    m_t.mov_reg_fun_entry(a[2], RtFun::const_none);
    m_t.store_state(std::uint32_t(base + 2), a[2]);
    m_t.lea_state(a[2], std::uint32_t(base - 2));
    m_t.mov_reg_imm(a[0], 3);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_t.mov_reg_reg(a[0], m_abi.ret);
    m_t.call(RtFun::obj_is_true);
    m_t.jump_if_bool(false, reraise);
    m_t.bind(swallow);
    m_t.clear_exc_value();
    m_t.bind(reraise);
    m_stack.push_slots(5); // as the bytecode counts them: the adjustment and END_FINALLY take them
}

void Translator::op_item(const CodeItem& it) {
    if (generator_op(it) || constant_op(it) || local_op(it) || stack_op(it) || flow_op(it) || object_op(it) ||
        call_op(it) || container_op(it) || iter_op(it) || handler_op(it))
        return;
    unsupported(it);
}

void Translator::unsupported(const CodeItem& it) const {
    std::string name = "opcode " + std::to_string(it.opcode);
    if (auto info = mpy::opcode_info(it.opcode))
        name = std::string(info->name);
    CompileError e{"NotImplementedError", "mpyship: native code for " + name + " is not implemented yet",
                   SourcePos{m_line, 1}, m_scope.name, true, true};
    throw e;
}

std::uint32_t Translator::qstr(const CodeItem& it) {
    if (it.qstr_phase == QstrPhase::scope_pass)
        return std::uint32_t(it.value);
    return m_qstrs.use(m_em.qstr_of(it));
}

void Translator::load_const_obj(std::uint32_t index) {
    m_stack.free_reg(m_abi.temp0);
    m_t.mov_reg_const_obj(m_abi.temp0, index);
    m_stack.push_reg(m_abi.temp0);
}

bool Translator::constant_op(const CodeItem& it) {
    const std::uint8_t o = it.opcode;
    if (o >= op::LOAD_CONST_SMALL_INT_MULTI && o < op::LOAD_CONST_SMALL_INT_MULTI + op::k_small_int_multi_num) {
        m_stack.push_imm(small_int_object(o - op::LOAD_CONST_SMALL_INT_MULTI - op::k_small_int_multi_excess));
        return true;
    }
    switch (o) {
    case op::LOAD_CONST_SMALL_INT:
        m_stack.push_imm(small_int_object(it.value));
        return true;
    case op::LOAD_CONST_NONE:
        m_stack.push_fun_entry(RtFun::const_none);
        return true;
    case op::LOAD_NULL:
        if (it.payload == k_payload_delete_null)
            m_deleting = true; // with the ROT_* and STORE_* after it: one delete
        else
            m_stack.push_imm(0);
        return true;
    case op::LOAD_CONST_FALSE:
        m_stack.push_fun_entry(RtFun::const_false);
        return true;
    case op::LOAD_CONST_TRUE:
        m_stack.push_fun_entry(RtFun::const_true);
        return true;
    case op::LOAD_CONST_STRING: {
        mpy::Constant str;
        str.kind = mpy::ObjKind::str;
        str.data = m_em.qstr_of(it);
        load_const_obj(m_constants.use(std::move(str)));
        return true;
    }
    case op::LOAD_CONST_OBJ:
        load_const_obj(std::uint32_t(it.value));
        return true;
    default:
        return false;
    }
}

// The first locals live in registers; the others are loaded through temp0.
void Translator::load_local(std::uint32_t local) {
    if (reg_local(local)) {
        m_stack.push_reg(m_abi.local_regs[local]);
        return;
    }
    m_stack.free_reg(m_abi.temp0);
    m_t.load_state(m_abi.temp0, state_of_local(local));
    m_stack.push_reg(m_abi.temp0);
}

// The cell is pushed as a local is loaded, then its contents replace it in the return register (which
// is temp0 on x64 and Thumb, not on rv32).
void Translator::load_deref(std::uint32_t local) {
    m_stack.free_reg(m_abi.ret);
    load_local(local);
    const NativeReg cell = m_stack.pop_flexible(m_abi.ret);
    m_t.load_cell_contents(m_abi.ret, cell);
    m_stack.push_reg(m_abi.ret);
}

// temp0 (for the cell, even when the cell lives in a register) and temp1 (for the value) are freed
// first, the value included; a value in another register is stored from there. The frame has a slot
// for the cell above the value.
void Translator::store_deref(std::uint32_t local) {
    m_stack.free_reg(m_abi.temp0);
    m_stack.free_reg(m_abi.temp1);
    NativeReg cell = m_abi.temp0;
    if (reg_local(local))
        cell = m_abi.local_regs[local];
    else
        m_t.load_state(m_abi.temp0, state_of_local(local));
    m_stack.push_slots(1);
    m_stack.drop(1);
    const NativeReg value = m_stack.pop_flexible(m_abi.temp1);
    m_t.store_cell_contents(cell, value);
}

void Translator::store_local(std::uint32_t local) {
    if (reg_local(local)) {
        m_stack.pop_into({m_abi.local_regs[local]});
        return;
    }
    m_stack.pop_into({m_abi.temp0});
    m_t.store_state(state_of_local(local), m_abi.temp0);
}

bool Translator::local_op(const CodeItem& it) {
    const std::uint8_t o = it.opcode;
    if (o >= op::LOAD_FAST_MULTI && o < op::LOAD_FAST_MULTI + op::k_fast_multi_num)
        load_local(o - op::LOAD_FAST_MULTI);
    else if (o >= op::STORE_FAST_MULTI && o < op::STORE_FAST_MULTI + op::k_fast_multi_num)
        store_local(o - op::STORE_FAST_MULTI);
    else if (o == op::LOAD_FAST_N)
        load_local(std::uint32_t(it.value));
    else if (o == op::STORE_FAST_N)
        store_local(std::uint32_t(it.value));
    else if (o == op::LOAD_DEREF) // a free variable: its cell is the local, the value is in the cell
        load_deref(std::uint32_t(it.value));
    else if (o == op::STORE_DEREF)
        store_deref(std::uint32_t(it.value));
    else if (o == op::DELETE_FAST) { // the reference stores None
        m_stack.push_fun_entry(RtFun::const_none);
        store_local(std::uint32_t(it.value));
    } else if (o == op::DELETE_DEREF) { // the reference writes no code for it (the cell keeps its value)
    }
    else
        return false;
    return true;
}

bool Translator::stack_op(const CodeItem& it) {
    const NativeReg t0 = m_abi.temp0, t1 = m_abi.temp1, t2 = m_abi.temp2;
    switch (it.opcode) {
    case op::POP_TOP:
        if (it.payload != k_payload_unwind_pop)
            m_stack.drop(1);
        return true;
    case op::DUP_TOP: {
        const NativeReg r = m_stack.pop_flexible(t0);
        m_stack.push_reg(r);
        m_stack.push_reg(r);
        return true;
    }
    case op::DUP_TOP_TWO:
        m_stack.pop_into({t0, t1});
        for (NativeReg r : {t1, t0, t1, t0})
            m_stack.push_reg(r);
        return true;
    case op::ROT_TWO:
        if (m_deleting)
            return true;
        m_stack.pop_into({t0, t1});
        m_stack.push_reg(t0);
        m_stack.push_reg(t1);
        return true;
    case op::ROT_THREE:
        if (m_deleting)
            return true;
        m_stack.pop_into({t0, t1, t2});
        for (NativeReg r : {t0, t2, t1})
            m_stack.push_reg(r);
        return true;
    default:
        return false;
    }
}

bool Translator::flow_op(const CodeItem& it) {
    const Label target = Label(it.value);
    switch (it.opcode) {
    case op::RETURN_VALUE:
        if (m_frame.generator) {
            generator_return();
        } else {
            m_stack.pop_into({m_t.return_reg()});
            m_t.store_return_value();
        }
        return_through_blocks();
        return true;
    case op::JUMP:
        m_stack.settle();
        m_t.jump(target);
        return true;
    // The truth test is a call (registers spilled first); the immediates are settled after it, while
    // its result waits in the return register.
    case op::POP_JUMP_IF_TRUE:
    case op::POP_JUMP_IF_FALSE:
        m_stack.pop_into({m_abi.arg[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::obj_is_true);
        m_stack.settle();
        m_t.jump_if_bool(it.opcode == op::POP_JUMP_IF_TRUE, target);
        return true;
    case op::JUMP_IF_TRUE_OR_POP:
    case op::JUMP_IF_FALSE_OR_POP:
        m_stack.peek_into(m_abi.arg[0]);
        m_stack.spill_regs();
        m_t.call(RtFun::obj_is_true);
        m_stack.settle();
        m_t.jump_if_bool(it.opcode == op::JUMP_IF_TRUE_OR_POP, target);
        m_stack.drop(1);
        return true;
    default:
        return false;
    }
}

void Translator::call_with_imm(RtFun fun, std::uint64_t imm, NativeReg reg) {
    m_stack.spill_regs();
    m_t.mov_reg_imm(reg, imm);
    m_t.call(fun);
}

void Translator::call_with_qstr(RtFun fun, std::uint32_t q, NativeReg reg) {
    m_stack.spill_regs();
    m_t.mov_reg_qstr(reg, q);
    m_t.call(fun);
}

bool Translator::object_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    const std::uint8_t o = it.opcode;
    if (o >= op::BINARY_OP_MULTI && o < op::BINARY_OP_MULTI + op::k_binary_op_num) {
        m_stack.pop_into({a[2], a[1]});
        call_with_imm(RtFun::binary_op, o - op::BINARY_OP_MULTI, a[0]);
    } else if (o >= op::UNARY_OP_MULTI && o < op::UNARY_OP_MULTI + op::k_unary_op_num) {
        m_stack.pop_into({a[1]});
        call_with_imm(RtFun::unary_op, o - op::UNARY_OP_MULTI, a[0]);
    } else if (o == op::LOAD_ATTR) {
        m_stack.pop_into({a[0]});
        call_with_qstr(RtFun::load_attr, qstr(it), a[1]);
    } else if (o == op::STORE_ATTR && m_deleting) {
        m_deleting = false;
        m_stack.pop_into({a[0]});
        m_t.zero_reg(a[2]);
        call_with_qstr(RtFun::store_attr, qstr(it), a[1]);
        return true;
    } else if (o == op::STORE_SUBSCR && m_deleting) {
        m_deleting = false;
        m_stack.pop_into({a[1], a[0]});
        call_with_imm(RtFun::obj_subscr, 0, a[2]);
        return true;
    } else if (o == op::STORE_ATTR) {
        m_stack.pop_into({a[0], a[2]});
        call_with_qstr(RtFun::store_attr, qstr(it), a[1]);
        return true;
    } else if (o == op::LOAD_SUBSCR) {
        m_stack.pop_into({a[1], a[0]});
        call_with_imm(RtFun::obj_subscr, k_subscr_load, a[2]);
    } else if (o == op::STORE_SUBSCR) {
        m_stack.pop_into({a[1], a[0], a[2]});
        m_stack.spill_regs();
        m_t.call(RtFun::obj_subscr);
        return true;
    } else if (o == op::IMPORT_NAME) {
        m_stack.pop_into({a[1], a[2]});
        call_with_qstr(RtFun::import_name, qstr(it), a[0]);
    } else if (o == op::IMPORT_FROM) { // the module stays below the imported name
        m_stack.peek_into(a[0]);
        call_with_qstr(RtFun::import_from, qstr(it), a[1]);
    } else if (o == op::IMPORT_STAR) { // `from m import *`, module level only (-X emit=native)
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::import_all);
        return true;
    } else if (o == op::RAISE_OBJ) {
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::raise);
        return true;
    } else if (o == op::LOAD_GLOBAL || o == op::LOAD_NAME) {
        call_with_qstr(o == op::LOAD_GLOBAL ? RtFun::load_global : RtFun::load_name, qstr(it), a[0]);
    } else if (o == op::STORE_GLOBAL || o == op::STORE_NAME) {
        m_stack.pop_into({a[1]});
        call_with_qstr(o == op::STORE_GLOBAL ? RtFun::store_global : RtFun::store_name, qstr(it), a[0]);
        return true;
    } else if (o == op::DELETE_GLOBAL || o == op::DELETE_NAME) {
        call_with_qstr(o == op::DELETE_GLOBAL ? RtFun::delete_global : RtFun::delete_name, qstr(it), a[0]);
        return true;
    } else if (o == op::LOAD_BUILD_CLASS) { // a class body inside native code is native too
        m_stack.spill_regs();
        m_t.call(RtFun::load_build_class);
    } else {
        return false;
    }
    m_stack.push_reg(m_abi.ret);
    return true;
}

bool Translator::call_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    const auto n_pos = std::uint32_t(it.value & 0xff), n_kw = std::uint32_t(it.value >> 8);
    switch (it.opcode) {
    case op::BUILD_TUPLE:
    case op::BUILD_LIST:
    case op::BUILD_SET:
        m_stack.pointer_for_pop(a[1], std::size_t(it.value));
        call_with_imm(it.opcode == op::BUILD_TUPLE  ? RtFun::build_tuple
                      : it.opcode == op::BUILD_LIST ? RtFun::build_list
                                                    : RtFun::build_set,
                      std::uint64_t(it.value), a[0]);
        break;
    case op::MAKE_FUNCTION: // without defaults: the child's raw code in this module's context
        m_t.mov_reg_context(a[1]);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[2], 0);
        m_t.mov_reg_child(a[0], std::uint32_t(it.value));
        m_t.call(RtFun::make_function_from_proto);
        break;
    case op::MAKE_CLOSURE: // a function as MAKE_FUNCTION, then a closure over the cells below it
        m_t.mov_reg_context(a[1]);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[2], 0);
        m_t.mov_reg_child(a[0], std::uint32_t(it.value));
        m_t.call(RtFun::make_function_from_proto);
        close_over(std::uint32_t(it.trailing_byte));
        break;
    case op::MAKE_CLOSURE_DEFARGS: { // the defaults below the cells: one pointer to both, two calls
        const auto n_closed = std::uint32_t(it.trailing_byte);
        m_t.mov_reg_context(a[1]);
        m_stack.pointer_for_pop(a[2], 2 + n_closed);
        m_t.mov_reg_child(a[0], std::uint32_t(it.value));
        m_t.call(RtFun::make_function_from_proto);
        m_t.mov_reg_reg(a[0], m_abi.ret);
        m_t.mov_reg_imm(a[1], n_closed);
        m_t.lea_state(a[2], std::uint32_t(m_stack.size() + 2));
        m_t.call(RtFun::make_closure);
        break;
    }
    case op::MAKE_FUNCTION_DEFARGS: // the positional-defaults tuple and keyword-defaults dict (or NULLs)
        m_t.mov_reg_context(a[1]);
        m_stack.pointer_for_pop(a[2], 2);
        m_t.mov_reg_child(a[0], std::uint32_t(it.value));
        m_t.call(RtFun::make_function_from_proto);
        break;
    case op::CALL_FUNCTION: // without arguments there is no argument pointer
        if (n_pos + 2 * n_kw != 0)
            m_stack.pointer_for_pop(a[2], n_pos + 2 * n_kw);
        m_stack.pop_into({a[0]});
        call_with_imm(RtFun::call_function_n_kw, std::uint64_t(it.value), a[1]);
        break;
    case op::CALL_METHOD:
        m_stack.pointer_for_pop(a[2], 2 + n_pos + 2 * n_kw);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], n_pos);
        m_t.mov_reg_imm(a[1], n_kw);
        m_t.call(RtFun::call_method_n_kw);
        break;
    case op::CALL_FUNCTION_VAR_KW:
    case op::CALL_METHOD_VAR_KW: {
        const bool method = it.opcode == op::CALL_METHOD_VAR_KW;
        // function (or method and self), arguments, and the star-argument bitmap
        m_stack.pointer_for_pop(a[2], (method ? 2 : 1) + n_pos + 2 * n_kw + 1);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], method ? 1 : 0);
        m_t.mov_reg_imm(a[1], std::uint64_t(it.value));
        m_t.call(RtFun::call_method_n_kw_var);
        break;
    }
    case op::LOAD_SUPER_METHOD: // super, __class__ and self become the method and self in place
        m_stack.pointer_for_pop(a[1], 3);
        m_t.lea_state(a[1], std::uint32_t(m_stack.size()));
        call_with_qstr(RtFun::load_super_method, qstr(it), a[0]);
        m_stack.push_slots(2);
        return true;
    case op::LOAD_METHOD:
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
        call_with_qstr(RtFun::load_method, qstr(it), a[1]);
        m_stack.push_slots(2);
        return true;
    default:
        return false;
    }
    m_stack.push_reg(m_abi.ret);
    return true;
}

// The function just made (in the return register) closes over the cells on top of the stack.
void Translator::close_over(std::uint32_t n_closed) {
    const NativeReg* a = m_abi.arg;
    m_t.mov_reg_reg(a[0], m_abi.ret);
    m_t.mov_reg_imm(a[1], n_closed);
    m_stack.pointer_for_pop(a[2], n_closed);
    m_t.call(RtFun::make_closure);
}

bool Translator::container_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    switch (it.opcode) {
    case op::BUILD_MAP:
        call_with_imm(RtFun::build_map, std::uint64_t(it.value), a[0]);
        break;
    case op::STORE_MAP: // the map stays: the runtime returns it
        m_stack.pop_into({a[1], a[2], a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::store_map);
        break;
    case op::BUILD_SLICE:
        if (it.value == 2) {
            m_stack.pop_into({a[1], a[0]});
            m_t.mov_reg_fun_entry(a[2], RtFun::const_none);
        } else {
            m_stack.pop_into({a[2], a[1], a[0]});
        }
        m_stack.spill_regs();
        m_t.call(RtFun::new_slice);
        break;
    case op::STORE_COMP: { // list, dict and set comprehensions; the collection stays below the loop
        const StoreComp c = store_comp_of(it.value);
        if (c.depth < c.n_items())
            return false;
        m_stack.store_comp(c);
        return true;
    }
    case op::UNPACK_SEQUENCE: // the items land in their slots, the first on top
        m_stack.pop_into({a[0]});
        m_stack.spill_regs(); // before taking the pointer, as LOAD_METHOD
        m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
        call_with_imm(RtFun::unpack_sequence, std::uint64_t(it.value), a[1]);
        m_stack.push_slots(std::size_t(it.value));
        return true;
    case op::UNPACK_EX: // n_left | n_right << 8; the starred list lands between them
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
        call_with_imm(RtFun::unpack_ex, std::uint64_t(it.value), a[1]);
        m_stack.push_slots(std::size_t((it.value & 0xff) + (it.value >> 8) + 1));
        return true;
    default:
        return false;
    }
    m_stack.push_reg(m_abi.ret);
    return true;
}

// A for loop keeps its iterator in 4 stack slots (GET_ITER_STACK); FOR_ITER jumps out when it ends.
bool Translator::iter_op(const CodeItem& it) {
    constexpr std::size_t k_iter_slots = 4;
    const NativeReg* a = m_abi.arg;
    switch (it.opcode) {
    case op::GET_ITER_STACK:
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.lea_state(a[1], std::uint32_t(m_stack.size()));
        m_t.call(RtFun::getiter);
        m_stack.push_slots(k_iter_slots);
        return true;
    case op::FOR_ITER:
        m_stack.settle();
        m_t.lea_state(a[0], std::uint32_t(m_stack.size() - k_iter_slots));
        m_t.call(RtFun::iternext);
        m_t.jump_if_ret_null(Label(it.value));
        m_stack.push_reg(m_abi.ret);
        return true;
    default:
        return false;
    }
}

// A generator returns its value in the state slot where it was on the stack, with the code state's
// stack pointer at it.
void Translator::generator_return() {
    const NativeReg value = m_stack.pop_flexible(m_abi.temp0);
    const auto slot = std::uint32_t(m_stack.size());
    m_t.store_state(slot, value);
    m_t.store_gen_sp(slot);
    m_t.store_return_kind(GenReturn::normal);
}

// The end of an `async with` body as the code generator writes it for bytecode (the emitter's
// async_with_setup_finally): None below the manager, a jump to the __aexit__ call, the finally label,
// then a test of the value on top against BaseException.
bool Translator::is_async_with_finally(const std::vector<CodeItem>& items, std::size_t i) const {
    if (i + k_async_with_finally_items > items.size())
        return false;
    auto is_op = [&](std::size_t k, std::uint8_t opcode) {
        return items[i + k].kind == ItemKind::op && items[i + k].opcode == opcode;
    };
    return is_op(0, op::LOAD_CONST_NONE) && is_op(1, op::ROT_TWO) && is_op(2, op::JUMP) &&
           items[i + 3].kind == ItemKind::label && is_op(4, op::DUP_TOP) && is_op(5, op::LOAD_GLOBAL) &&
           items[i + 5].qstr_phase == QstrPhase::scope_pass && m_em.qstr_of(items[i + 5]) == "BaseException" &&
           is_op(6, std::uint8_t(op::BINARY_OP_MULTI + int(BinaryOp::exception_match))) &&
           is_op(7, op::POP_JUMP_IF_FALSE);
}

// mpy-cross writes native code of its own there (measured): the body ends with one more slot on the
// stack, which is rotated below the manager, then below the None and the manager; at the finally label
// the value on top is replaced by the exception slot's value (NULL when the block is left by a return,
// break or continue), and NULL goes to the unwinding part without the BaseException test.
void Translator::async_with_finally(const std::vector<CodeItem>& items, std::size_t i) {
    const NativeReg a0 = m_abi.arg[0];
    m_stack.push_slots(1);
    item(items[i + 1]); // that slot goes below the manager
    for (std::size_t k = 0; k < 3; ++k) // None, ROT_TWO, the jump to the __aexit__ call
        item(items[i + k]);
    m_t.set_suppressed(true);
    m_stack.drop(1);
    item(items[i + 3]); // the finally label
    m_stack.drop(1);
    m_t.load_exc_value(a0);
    m_stack.push_reg(a0);
    m_t.jump_if_zero(a0, Label(items[i + 7].value));
}

bool Translator::generator_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    switch (it.opcode) {
    case op::GET_ITER: // yield from, await, a generator expression's argument: the iterator replaces the
                       // object (the NULL for no iterator buffer is set before the registers are spilled)
        m_stack.pop_into({a[0]});
        m_t.mov_reg_imm(a[1], 0);
        m_stack.spill_regs();
        m_t.call(RtFun::getiter);
        m_stack.push_reg(m_abi.ret);
        return true;
    case op::YIELD_VALUE:
        yield_value();
        return true;
    case op::YIELD_FROM:
        yield_from();
        return true;
    default:
        return false;
    }
}

// The code state's stack pointer at the top value, the yield return kind and the address to resume at,
// then out through the exit. Resumed, the exception handler that was active is active again.
void Translator::leave_to_yield(Label resume) {
    m_t.store_gen_sp(std::uint32_t(m_stack.size() - 1));
    m_t.store_return_kind(GenReturn::yield);
    m_t.store_resume_address(resume);
    m_t.jump(m_exit);
    // (the resume label makes what follows reachable for the reference, even after a return)
    m_t.set_suppressed(false);
    m_revived = true;
    m_t.bind(resume);
    write_innermost_handler(false);
}

// What gen.throw() passed in is raised where the code goes on (nothing when it is NULL); the slot is
// cleared first.
void Translator::raise_throw_value() {
    const NativeReg* a = m_abi.arg;
    m_t.load_throw_value(a[0]);
    m_t.clear_throw_value(a[1]);
    m_t.call(RtFun::raise);
}

// The yielded value is on top; the value sent in takes its slot.
void Translator::yield_value() {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    m_stack.settle();
    leave_to_yield(m_next_label++);
    raise_throw_value();
}

// The iterator and the value to send are on the stack: the runtime sends it (or what gen.throw() passed
// in) to the iterator, and while that yields, so does this code; the iterator's return value then
// replaces both.
void Translator::yield_from() {
    const NativeReg* a = m_abi.arg;
    if (m_stack.size() < 2)
        throw NativeStack::Underflow{};
    m_stack.settle();
    const Label send = m_next_label++, yield = m_next_label++, resume = m_next_label++;
    m_t.jump(send);
    m_t.set_suppressed(false);
    m_t.bind(yield);
    leave_to_yield(resume);
    m_t.bind(send);
    const auto result = std::uint32_t(m_stack.size() - 1);
    m_t.load_throw_value(a[2]);
    m_t.mov_reg_imm(a[1], 0);
    m_t.store_throw_value(a[1]);
    m_stack.pop_into({a[1], a[0]});
    m_t.store_state(result, a[2]);
    m_t.lea_state(a[2], result);
    m_t.call(RtFun::yield_from);
    m_t.jump_if_bool(true, yield);
    m_t.load_state(a[0], result);
    m_stack.push_reg(a[0]);
}

std::unique_ptr<NativeTarget> target_for(mpy::NativeArch arch, NativeModuleState& module, std::uint32_t flags) {
    if (arch == mpy::NativeArch::x64)
        return make_x64_target();
    if (arch == mpy::NativeArch::x86)
        return make_x86_target();
    if (arch == mpy::NativeArch::rv32imc)
        return make_rv32_target(module, (flags & inline_asm::k_rv32_flag_zcmp) != 0);
    if (is_thumb_native_arch(arch))
        return make_thumb_target(arch != mpy::NativeArch::armv6m);
    if (is_xtensa_native_arch(arch))
        return make_xtensa_target(arch == mpy::NativeArch::xtensawin);
    return nullptr;
}

// The prelude after the code: the bytecode signature, then the name and argument qstrs (no line table).
mpy::Bytes prelude(const Emitter& em, std::uint32_t n_state, QstrTable& qstrs) {
    const ScopeSignature& sig = em.signature();
    mpy::Prelude p;
    p.n_state = n_state;
    p.n_exc_stack = 0; // native code keeps its handlers in the nlr frame, not on an exception stack
    p.scope_flags = (sig.scope_flags | (is_generator_scope(em) ? mpy::k_scope_generator : 0)) & mpy::k_scope_sig_mask;
    p.n_pos_args = sig.n_pos_args;
    p.n_kwonly_args = sig.n_kwonly_args;
    p.n_def_pos_args = sig.n_def_pos_args;
    mpy::Bytes names;
    mpy::put_vuint(names, qstrs.use(sig.simple_name));
    for (const std::string& arg : sig.arg_names)
        mpy::put_vuint(names, qstrs.use(arg));
    mpy::Bytes out;
    mpy::put_prelude_signature(out, p);
    mpy::put_prelude_size(out, names.size(), sig.cells.size());
    out.insert(out.end(), names.begin(), names.end());
    out.insert(out.end(), sig.cells.begin(), sig.cells.end());
    return out;
}

} // namespace

bool is_generator_scope(const Emitter& em) {
    return em.is_generator() || (em.signature().scope_flags & mpy::k_scope_generator) != 0;
}

bool has_native_emitter(mpy::NativeArch arch) {
    return arch == mpy::NativeArch::x64 || arch == mpy::NativeArch::x86 || is_thumb_native_arch(arch) ||
           arch == mpy::NativeArch::rv32imc || is_xtensa_native_arch(arch);
}

mpy::NativeCode emit_native_function(const NativeScope& scope, QstrTable& qstrs, ConstantTable& constants) {
    NativeModuleState own_state;
    NativeModuleState& module_state = scope.module_state != nullptr ? *scope.module_state : own_state;
    auto target = target_for(scope.arch, module_state, scope.arch_flags);
    mpy::Constant fun_table;
    fun_table.kind = mpy::ObjKind::fun_table;
    const std::uint32_t fun_table_const = constants.use(fun_table);
    // As the reference, the frame is sized by the stack depth the native code itself reaches (which the
    // bytecode's count can exceed: `del x[i]` pushes no NULL here): a first pass measures it.
    Translator sizing(scope, *target, qstrs, constants, fun_table_const, scope.emitter.max_stack());
    sizing.run();
    auto emit_target = target_for(scope.arch, module_state, scope.arch_flags);
    Translator translator(scope, *emit_target, qstrs, constants, fun_table_const, sizing.max_stack());
    mpy::NativeCode code;
    code.code = translator.run();
    code.prelude_offset = code.code.size();
    // mpy-cross keeps this offset in 16 bits and writes a wrong one beyond; such a function stays source.
    if (code.prelude_offset > 0xffff)
        throw CompileError{"NotImplementedError",
                           "mpyship: native code for a function of more than 64 KiB of machine code is not "
                           "implemented yet",
                           scope.def_pos, scope.name, true, true};
    const auto pre = prelude(scope.emitter, translator.n_state(), qstrs);
    code.code.insert(code.code.end(), pre.begin(), pre.end());
    return code;
}

} // namespace mpyship::compiler
